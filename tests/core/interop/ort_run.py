"""Runs an ONNX model in ONNX Runtime (the outside reference of the interop tests).

    ort_run.py MODEL INPUT.f32 N C H W OUTPUT.f32 [as-written|optimized]

INPUT.f32 holds N*C*H*W float32 values (the normalized images, little-endian); the model's
first output is written to OUTPUT.f32 as float32. as-written (the default) turns ONNX
Runtime's graph optimizations off, so the model runs node by node as written; optimized runs it
as a deployment would (QDQ groups fused into integer kernels such as QLinearConv).
"""
import sys

import numpy as np
import onnxruntime as ort


def main():
    model, src, n, c, h, w, dst = sys.argv[1:8]
    mode = sys.argv[8] if len(sys.argv) > 8 else "as-written"
    x = np.fromfile(src, dtype="<f4").reshape(int(n), int(c), int(h), int(w))
    opts = ort.SessionOptions()
    opts.graph_optimization_level = (ort.GraphOptimizationLevel.ORT_ENABLE_ALL if mode == "optimized"
                                     else ort.GraphOptimizationLevel.ORT_DISABLE_ALL)
    opts.intra_op_num_threads = 1
    session = ort.InferenceSession(model, opts, providers=["CPUExecutionProvider"])
    y = session.run(None, {session.get_inputs()[0].name: x})[0]
    np.ascontiguousarray(y, dtype="<f4").tofile(dst)


if __name__ == "__main__":
    main()
