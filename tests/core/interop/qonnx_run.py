"""Runs a QONNX model with the qonnx package's own executor (the outside reference of the
interop tests for QONNX files).

    qonnx_run.py MODEL INPUT.f32 N C H W OUTPUT.f32

As ort_run.py, but the model (written for batch 1, as FINN builds) gets the batch (chunks of
100 images) on its input and output, goes through qonnx's cleanup transformations (shape and datatype inference,
constant folding, unique names) and runs node by node: standard ONNX nodes in ONNX Runtime,
Quant, BipolarQuant and MultiThreshold by qonnx's reference code.
"""
import sys

import numpy as np
from qonnx.core.modelwrapper import ModelWrapper
from qonnx.core.onnx_exec import execute_onnx
from qonnx.util.cleanup import cleanup_model


CHUNK = 100


def main():
    model, src, n, c, h, w, dst = sys.argv[1:8]
    x = np.fromfile(src, dtype="<f4").reshape(int(n), int(c), int(h), int(w))
    ys = []
    for start in range(0, x.shape[0], CHUNK):  # the executor keeps every tensor in memory
        chunk = x[start : start + CHUNK]
        m = ModelWrapper(model)
        for t in (m.graph.input[0], m.graph.output[0]):
            t.type.tensor_type.shape.dim[0].dim_value = chunk.shape[0]
        del m.graph.value_info[:]  # inferred again for the batch by the cleanup
        m = cleanup_model(m)
        ys.append(execute_onnx(m, {m.graph.input[0].name: chunk})[m.graph.output[0].name])
    np.ascontiguousarray(np.concatenate(ys), dtype="<f4").tofile(dst)


if __name__ == "__main__":
    main()
