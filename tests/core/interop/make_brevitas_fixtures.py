"""Brevitas-written quantized models for the read-back tests (read_back_test.cpp).

Trains a small CNN with Brevitas' own quantization-aware layers on Fashion-MNIST for a few
hundred steps (fixed seed), then writes it with Brevitas' own exporters: QONNX (export_qonnx)
and QCDQ ONNX (export_onnx_qcdq), with the model's logits on the first test images as Brevitas
computes them, and the normalisation the model was trained with.

  python make_brevitas_fixtures.py OUT_DIR IMAGES
writes OUT_DIR/brevitas.qonnx.onnx, brevitas.qcdq.onnx, brevitas_logits.bin (float32 [IMAGES,
10]) and brevitas.json ({mean, std, images, top1}).
"""
import gzip
import json
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import brevitas.nn as qnn
from brevitas.export import export_onnx_qcdq, export_qonnx

DATA = "/usr/share/datasets/fashion-mnist"
MEAN, STD = 0.2860, 0.3530
STEPS, BATCH = 300, 64


def idx(name, offset):
    with gzip.open(os.path.join(DATA, name)) as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


def images(split):
    x = idx(f"{split}-images-idx3-ubyte.gz", 16).reshape(-1, 1, 28, 28).astype(np.float32)
    y = idx(f"{split}-labels-idx1-ubyte.gz", 8).astype(np.int64)
    return torch.from_numpy((x / 255.0 - MEAN) / STD), torch.from_numpy(y)


class Net(nn.Module):
    """8-bit input, 4-bit weights and ReLUs, an 8-bit classifier; BatchNorm left to the file."""

    def __init__(self):
        super().__init__()
        self.quant_inp = qnn.QuantIdentity(bit_width=8, return_quant_tensor=True)
        self.conv1 = qnn.QuantConv2d(1, 16, 3, padding=1, weight_bit_width=4, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.relu1 = qnn.QuantReLU(bit_width=4, return_quant_tensor=True)
        self.pool1 = nn.MaxPool2d(2)
        self.conv2 = qnn.QuantConv2d(16, 32, 3, padding=1, weight_bit_width=4, bias=False)
        self.bn2 = nn.BatchNorm2d(32)
        self.relu2 = qnn.QuantReLU(bit_width=4, return_quant_tensor=True)
        self.pool2 = nn.MaxPool2d(2)
        self.fc = qnn.QuantLinear(32 * 7 * 7, 10, bias=True, weight_bit_width=8)

    def forward(self, x):
        x = self.quant_inp(x)
        x = self.pool1(self.relu1(self.bn1(self.conv1(x))))
        x = self.pool2(self.relu2(self.bn2(self.conv2(x))))
        return self.fc(torch.flatten(x, 1))


def main():
    out, n = sys.argv[1], int(sys.argv[2])
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(0)
    torch.set_num_threads(2)
    x_train, y_train = images("train")
    x_test, y_test = images("t10k")
    model = Net()
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    model.train()
    for step in range(STEPS):
        i = torch.randint(0, len(x_train), (BATCH,))
        loss = nn.functional.cross_entropy(model(x_train[i]), y_train[i])
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    with torch.no_grad():
        logits = torch.cat([model(x_test[k:k + 250]) for k in range(0, n, 250)])[:n]
    top1 = (logits.argmax(1) == y_test[:n]).float().mean().item() * 100
    example = x_test[:1]
    export_qonnx(model, example, export_path=os.path.join(out, "brevitas.qonnx.onnx"))
    export_onnx_qcdq(model, example, export_path=os.path.join(out, "brevitas.qcdq.onnx"),
                     opset_version=13)
    logits.numpy().astype(np.float32).tofile(os.path.join(out, "brevitas_logits.bin"))
    with open(os.path.join(out, "brevitas.json"), "w") as f:
        json.dump({"mean": MEAN, "std": STD, "images": n, "top1": top1}, f)
    print(f"brevitas fixtures in {out}: top-1 {top1:.2f} % on {n} test images")


if __name__ == "__main__":
    main()
