#!/usr/bin/python3
"""PyTorch's side of tests/bench/import.sh: the same model, the same measurements.

Usage: import_peer.py write DIR            writes resnet50 (3x224x224) and resnet18 (3x64x64)
                                           as .onnx and traced .pt (random weights, seed 0)
       import_peer.py run MODEL.pt C H W [batch] [iterations] [threads]
                                           torch.jit.load time and peak memory, then eager
                                           inference and training images/s of the same
                                           torchvision model
"""
import resource
import sys
import time

import torch
import torchvision


def write(out):
    for name, hw in (("resnet50", 224), ("resnet18", 64)):
        torch.manual_seed(0)
        m = getattr(torchvision.models, name)(num_classes=10).eval()
        x = torch.randn(1, 3, hw, hw)
        torch.onnx.export(m, x, "%s/%s.onnx" % (out, name), opset_version=13,
                          input_names=["input"], dynamic_axes={"input": {0: "batch"}})
        torch.jit.trace(m, x).save("%s/%s.pt" % (out, name))


def run(path, c, h, w, batch=32, iterations=10, threads=2):
    torch.set_num_threads(threads)
    t0 = time.perf_counter()
    scripted = torch.jit.load(path)
    load_s = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    name = "resnet50" if "resnet50" in path else "resnet18"
    model = getattr(torchvision.models, name)(num_classes=10)
    model.load_state_dict(scripted.state_dict())
    model = model.to(memory_format=torch.channels_last)
    torch.manual_seed(0)
    x = torch.randn(batch, c, h, w).contiguous(memory_format=torch.channels_last)
    model.eval()
    with torch.no_grad():
        model(x)
        t0 = time.perf_counter()
        for _ in range(iterations):
            model(x)
        infer = batch * iterations / (time.perf_counter() - t0)
    model.train()
    sgd = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    y = torch.randint(0, 10, (batch,))

    def step():
        sgd.zero_grad()
        torch.nn.functional.cross_entropy(model(x), y).backward()
        sgd.step()

    step()
    t0 = time.perf_counter()
    for _ in range(iterations):
        step()
    train = batch * iterations / (time.perf_counter() - t0)
    print("load_s=%.3f load_peak_rss_mib=%.0f infer_ips=%.1f train_ips=%.1f"
          % (load_s, peak, infer, train))


if __name__ == "__main__":
    if sys.argv[1] == "write":
        write(sys.argv[2])
    else:
        run(sys.argv[2], *[int(a) for a in sys.argv[3:]])
