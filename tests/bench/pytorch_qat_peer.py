#!/usr/bin/python3
"""Peer for the QAT-cost benchmark: PyTorch's own fake-quant QAT against its FP32 training.

ResNet-20 as in pytorch_int8_peer.py (the same network as Bitshift's zoo model), trained one
epoch on the first N Fashion-MNIST training images, batch 128, SGD: images/s of the FP32 loop,
then of the same loop after torch.ao.quantization.prepare_qat (conv+bn+relu fused, 8-bit fake
quantization of weights and activations, the engine's default QAT qconfig). Prints both and
their ratio: the "QAT costs x FP32" figure Bitshift's NICE epoch is compared with.
Run with Debian's python3-torch: /usr/bin/python3 tests/bench/pytorch_qat_peer.py [images] [threads]
"""
import gzip
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.ao.quantization as tq

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pytorch_int8_peer import ResNet20  # noqa: E402

ROOT = "/usr/share/datasets/fashion-mnist/"


def train_images(n):
    with gzip.open(ROOT + "train-images-idx3-ubyte.gz", "rb") as f:
        x = np.frombuffer(f.read(), dtype=np.uint8, offset=16).reshape(-1, 1, 28, 28)[:n]
    with gzip.open(ROOT + "train-labels-idx1-ubyte.gz", "rb") as f:
        y = np.frombuffer(f.read(), dtype=np.uint8, offset=8)[:n]
    x = (torch.from_numpy(x.copy()).float() / 255.0 - 0.2860) / 0.3530
    return x, torch.from_numpy(y.astype(np.int64))


def epoch_images_per_second(model, x, y):
    opt = torch.optim.SGD(model.parameters(), lr=0.005, momentum=0.9, nesterov=True)
    model.train()
    order = torch.randperm(len(x))
    start = time.perf_counter()
    for i in range(0, len(x) - 127, 128):
        idx = order[i:i + 128]
        opt.zero_grad()
        nn.functional.cross_entropy(model(x[idx]), y[idx]).backward()
        opt.step()
    return (len(x) // 128 * 128) / (time.perf_counter() - start)


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
    threads = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    x, y = train_images(n)
    model = ResNet20()
    fp32 = epoch_images_per_second(model, x, y)
    engine = next(e for e in ("fbgemm", "onednn", "qnnpack")
                  if e in torch.backends.quantized.supported_engines)
    torch.backends.quantized.engine = engine
    model.eval()
    model.fuse()
    model.qconfig = tq.get_default_qat_qconfig(engine)
    model.train()
    tq.prepare_qat(model, inplace=True)
    qat = epoch_images_per_second(model, x, y)
    print(f"pytorch resnet20 training: fp32 {fp32:.0f} img/s, fake-quant QAT ({engine} qconfig) "
          f"{qat:.0f} img/s, QAT epoch cost x{fp32 / qat:.2f} ({n} images, {threads} threads)")


if __name__ == "__main__":
    main()
