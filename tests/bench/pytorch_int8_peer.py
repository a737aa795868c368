#!/usr/bin/python3
"""Peer for the integer-inference benchmark: PyTorch's own FP32 and int8 CPU inference.

Builds the same networks as Bitshift's zoo (ResNet-20 with 1x1 projection shortcuts, LeNet-5
with BN) in torch.nn, quantizes them with eager-mode static post-training quantization
(torch.ao.quantization; fbgemm where the build has it, else onednn or qnnpack; conv+bn+relu fused, FloatFunctional adds), and times
inference on Fashion-MNIST test images. Weights are random: speed does not depend on them.
Prints images/s of FP32 and of int8.
Run with Debian's python3-torch:
  /usr/bin/python3 tests/bench/pytorch_int8_peer.py resnet20|lenet5 [images] [threads] [batch]
"""
import gzip
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.ao.quantization as tq

ROOT = "/usr/share/datasets/fashion-mnist/"


def test_images(n):
    with gzip.open(ROOT + "t10k-images-idx3-ubyte.gz", "rb") as f:
        x = np.frombuffer(f.read(), dtype=np.uint8, offset=16).reshape(-1, 1, 28, 28)[:n]
    return (torch.from_numpy(x.copy()).float() / 255.0 - 0.2860) / 0.3530


class Block(nn.Module):
    def __init__(self, c_in, planes, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(c_in, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu1 = nn.ReLU()
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.down = None
        if stride != 1 or c_in != planes:
            self.down = nn.Sequential(nn.Conv2d(c_in, planes, 1, stride, bias=False),
                                      nn.BatchNorm2d(planes))
        self.add = nn.quantized.FloatFunctional()
        self.relu2 = nn.ReLU()

    def forward(self, x):
        y = self.bn2(self.conv2(self.relu1(self.bn1(self.conv1(x)))))
        s = x if self.down is None else self.down(x)
        return self.relu2(self.add.add(y, s))

    def fuse(self):
        tq.fuse_modules(self, [["conv1", "bn1", "relu1"], ["conv2", "bn2"]], inplace=True)
        if self.down is not None:
            tq.fuse_modules(self.down, [["0", "1"]], inplace=True)


class ResNet20(nn.Module):
    def __init__(self):
        super().__init__()
        self.quant, self.dequant = tq.QuantStub(), tq.DeQuantStub()
        self.conv1, self.bn1, self.relu = nn.Conv2d(1, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU()
        blocks, c = [], 16
        for stage, planes in enumerate((16, 32, 64)):
            for b in range(3):
                blocks.append(Block(c, planes, 2 if stage > 0 and b == 0 else 1))
                c = planes
        self.blocks = nn.Sequential(*blocks)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        x = self.relu(self.bn1(self.conv1(self.quant(x))))
        x = self.pool(self.blocks(x)).flatten(1)
        return self.dequant(self.fc(x))

    def fuse(self):
        tq.fuse_modules(self, [["conv1", "bn1", "relu"]], inplace=True)
        for b in self.blocks:
            b.fuse()


class LeNet5(nn.Module):
    def __init__(self):
        super().__init__()
        self.quant, self.dequant = tq.QuantStub(), tq.DeQuantStub()
        self.conv1, self.bn1, self.relu1 = nn.Conv2d(1, 6, 5, padding=2), nn.BatchNorm2d(6), nn.ReLU()
        self.conv2, self.bn2, self.relu2 = nn.Conv2d(6, 16, 5), nn.BatchNorm2d(16), nn.ReLU()
        self.pool = nn.MaxPool2d(2)
        self.fc1, self.relu3 = nn.Linear(16 * 5 * 5, 120), nn.ReLU()
        self.fc2, self.relu4 = nn.Linear(120, 84), nn.ReLU()
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = self.pool(self.relu1(self.bn1(self.conv1(self.quant(x)))))
        x = self.pool(self.relu2(self.bn2(self.conv2(x)))).flatten(1)
        x = self.relu4(self.fc2(self.relu3(self.fc1(x))))
        return self.dequant(self.fc3(x))

    def fuse(self):
        tq.fuse_modules(self, [["conv1", "bn1", "relu1"], ["conv2", "bn2", "relu2"],
                               ["fc1", "relu3"], ["fc2", "relu4"]], inplace=True)


def images_per_second(model, x, batch):
    with torch.no_grad():
        model(x[:batch])  # warm-up
        start = time.perf_counter()
        for i in range(0, len(x), batch):
            model(x[i:i + batch])
        return len(x) / (time.perf_counter() - start)


def main():
    name = sys.argv[1] if len(sys.argv) > 1 else "resnet20"
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    threads = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    batch = int(sys.argv[4]) if len(sys.argv) > 4 else 100
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    x = test_images(n)
    model = (ResNet20() if name == "resnet20" else LeNet5()).eval()
    fp32 = images_per_second(model, x, batch)
    # Debian's python3-torch ships without fbgemm: take the first int8 CPU engine it has.
    engine = next(e for e in ("fbgemm", "onednn", "qnnpack")
                  if e in torch.backends.quantized.supported_engines)
    torch.backends.quantized.engine = engine
    model.fuse()
    model.qconfig = tq.get_default_qconfig(engine)
    tq.prepare(model, inplace=True)
    with torch.no_grad():
        model(x[:500])  # calibration
    tq.convert(model, inplace=True)
    int8 = images_per_second(model, x, batch)
    print(f"pytorch {name}: fp32 {fp32:.0f} img/s, int8 {engine} {int8:.0f} img/s "
          f"({n} images, batch {batch}, {threads} threads)")


if __name__ == "__main__":
    main()
