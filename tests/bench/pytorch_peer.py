#!/usr/bin/python3
"""Peer for the training-throughput benchmark: PyTorch's own Python eager loop.

Trains the same 3-conv CNN as Bitshift's zoo model `cnn3` (32/64/128 channels, BN, ReLU,
max-pool, FC) on Fashion-MNIST from Debian's dataset-fashion-mnist, batch 128, SGD, with the
usual DataLoader over an in-memory TensorDataset. Prints images/s of the training loop.
Run with Debian's python3-torch: /usr/bin/python3 tests/bench/pytorch_peer.py [images] [threads]
"""
import gzip
import sys
import time

import numpy as np
import torch
import torch.nn as nn

ROOT = "/usr/share/datasets/fashion-mnist/"


def idx(path, offset):
    with gzip.open(ROOT + path, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


def main():
    images = int(sys.argv[1]) if len(sys.argv) > 1 else 60000
    threads = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    x = idx("train-images-idx3-ubyte.gz", 16).reshape(-1, 1, 28, 28)[:images]
    y = idx("train-labels-idx1-ubyte.gz", 8)[:images]
    x = (torch.from_numpy(x.copy()).float() / 255.0 - 0.2860) / 0.3530
    y = torch.from_numpy(y.astype(np.int64))
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=128,
                                         shuffle=True, drop_last=True)
    layers, c_in = [], 1
    for c in (32, 64, 128):
        layers += [nn.Conv2d(c_in, c, 3, padding=1, bias=False), nn.BatchNorm2d(c), nn.ReLU(),
                   nn.MaxPool2d(2)]
        c_in = c
    model = nn.Sequential(*layers, nn.Flatten(), nn.Linear(128 * 3 * 3, 10))
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True,
                          weight_decay=5e-4)
    model.train()
    seen, start = 0, time.perf_counter()
    for xb, yb in loader:
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(xb), yb)
        loss.backward()
        opt.step()
        seen += xb.shape[0]
    elapsed = time.perf_counter() - start
    print(f"pytorch-python cnn3: {seen / elapsed:.0f} images/s ({seen} images, {elapsed:.1f} s, "
          f"{threads} threads, loss {loss.item():.3f})")


if __name__ == "__main__":
    main()
