#!/usr/bin/python3
"""Make the reference fixtures for Bitshift's ONNX and TorchScript import tests.

The C++ tests in tests/core/import load these files with Bitshift's importers and compare
Bitshift's outputs against the PyTorch outputs written here. So every file is made by the
real exporters (torch.onnx.export, torch.jit.trace / torch.jit.script), at test time.

Usage (Debian's python, which has torch 1.13 and torchvision 0.14):
    /usr/bin/python3 make_fixtures.py OUT_DIR [--only NAME,NAME]

For each model NAME (small, random weights, eval mode, 10 classes) it writes to OUT_DIR:
    NAME.onnx         torch.onnx.export, opset 13, input 'input', output 'logits', batch dynamic
    NAME.pt           torch.jit.trace(model, x).save()
    NAME-script.pt    torch.jit.script(model).save(), for the hand-written UserNet only
    NAME.input.bin    the input batch x: 2 images, NCHW, raw float32 little-endian, ~N(0,1)
    NAME.logits.bin   PyTorch eager logits for x under no_grad: raw float32 little-endian, N x 10
    NAME-opsetK.onnx  resnet18 only: the same weights exported at opsets 11 and 17
and, last, manifest.json: a list with one entry per file set written by this run (see entry()).

BatchNorm: freshly built layers have mean 0, var 1, gamma 1, beta 0, which would hide any
bug in folding BN into convs. So gamma and beta are drawn at random, the running statistics
are measured on random inputs (so activations keep a unit scale through deep nets instead
of dying out, which would make the logits independent of the input) and then perturbed per
channel. Everything is seeded per model, so a run gives the same files every time.

Each file is written to a temporary name and renamed, so a killed run leaves no half-written
file; the manifest is written last.
"""
import argparse
import contextlib
import copy
import json
import os
import sys
import time
from collections import namedtuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from torchvision import models as tvm

OPSET = 13
CLASSES = 10
BATCH = 2
CALIBRATION_BATCH = 16
MAX_LOGIT = 100.0     # larger logits are scaled down (final Linear) to LOGIT_TARGET
LOGIT_TARGET = 10.0


class UserNet(nn.Module):
    """A small Fashion-MNIST CNN (1x28x28) written by hand with functional ops."""

    def __init__(self, num_classes=CLASSES):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.conv_wide = nn.Conv2d(16, 16, (3, 5), padding=(1, 2))
        self.conv_down = nn.Conv2d(16, 16, 3, stride=2, padding=1)
        self.conv_dilated = nn.Conv2d(16, 16, 3, padding=2, dilation=2)
        self.depthwise = nn.Conv2d(32, 32, 3, padding=1, groups=32, bias=False)
        self.bn2 = nn.BatchNorm2d(32)
        self.pointwise = nn.Conv2d(32, 32, 1)
        self.se_reduce = nn.Conv2d(32, 8, 1)
        self.se_expand = nn.Conv2d(8, 32, 1)
        self.head = nn.Conv2d(32, 16, 1)
        self.dropout = nn.Dropout(0.25)
        self.fc = nn.Linear(16 * 4 * 4, num_classes)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))                       # 16x28x28
        x = F.leaky_relu(self.conv_wide(x), 0.1)
        x = F.max_pool2d(x, 3, stride=2, ceil_mode=True)           # 16x14x14 (13 if floor)
        a = F.hardswish(self.conv_down(x))                         # 16x7x7
        b = F.avg_pool2d(F.silu(self.conv_dilated(x)), 3, stride=2, padding=1,
                         count_include_pad=False)
        x = torch.cat([a, b], dim=1)                               # 32x7x7
        y = self.pointwise(torch.clamp(self.bn2(self.depthwise(x)), -1, 1))
        gate = y.mean((2, 3), keepdim=True)                        # squeeze-excitation
        gate = torch.sigmoid(self.se_expand(F.relu(self.se_reduce(gate))))
        x = x + y * gate                                           # residual
        x = F.max_pool2d(F.relu(self.head(x)), 2, ceil_mode=True)  # 16x4x4 (3x3 if floor)
        x = self.dropout(x)
        x = x.view(x.size(0), -1)
        return self.fc(x)


class ChannelsLast(nn.Module):
    """What a Keras model exported by tf2onnx looks like: NHWC input transposed to NCHW first,
    probabilities (softmax) out. The reference logits are the wrapped model's, before softmax."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, x):
        return F.softmax(self.model(x.permute(0, 3, 1, 2)), dim=1)


class SmallKerasStyle(nn.Module):
    """conv-bn-relu twice, global mean, dense: the CNN of a Keras tutorial."""

    def __init__(self, num_classes=CLASSES):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(8)
        self.conv2 = nn.Conv2d(8, 16, 3, stride=2, padding=1)
        self.dense = nn.Linear(16, num_classes)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = F.relu(self.conv2(x))
        return self.dense(x.mean((2, 3)))


Spec = namedtuple("Spec", "name family seed input build extra_opsets script channels_last")
RGB64 = (3, 64, 64)


def spec(name, family, seed, build, input=RGB64, extra_opsets=(), script=False,
         channels_last=False):
    return Spec(name, family, seed, input, build, extra_opsets, script, channels_last)


SPECS = [
    spec("resnet18", "resnet", 101, lambda: tvm.resnet18(num_classes=CLASSES),
         extra_opsets=(11, 17)),
    spec("mobilenet_v2", "mobilenet_v2", 102,
         lambda: tvm.mobilenet_v2(num_classes=CLASSES, width_mult=0.5)),
    spec("mobilenet_v3_small", "mobilenet_v3", 103,
         lambda: tvm.mobilenet_v3_small(num_classes=CLASSES)),
    spec("efficientnet_b0", "efficientnet", 104, lambda: tvm.efficientnet_b0(num_classes=CLASSES)),
    spec("squeezenet1_1", "squeezenet", 105, lambda: tvm.squeezenet1_1(num_classes=CLASSES)),
    spec("densenet121", "densenet", 106, lambda: tvm.densenet121(num_classes=CLASSES)),
    spec("shufflenet_v2_x0_5", "shufflenet", 107,
         lambda: tvm.shufflenet_v2_x0_5(num_classes=CLASSES)),
    spec("regnet_x_400mf", "regnet", 108, lambda: tvm.regnet_x_400mf(num_classes=CLASSES)),
    spec("mnasnet0_5", "mnasnet", 109, lambda: tvm.mnasnet0_5(num_classes=CLASSES)),
    spec("googlenet", "googlenet", 110,
         lambda: tvm.googlenet(num_classes=CLASSES, aux_logits=False, init_weights=True,
                               transform_input=False)),
    spec("usernet", "user", 111, UserNet, input=(1, 28, 28), script=True),
    spec("kerasnet", "user", 112, SmallKerasStyle, input=(3, 20, 24), channels_last=True),
]


# ---------------------------------------------------------------- files

@contextlib.contextmanager
def atomic(path):
    """Yield a temporary path next to `path`; rename it to `path` if the block succeeds."""
    tmp = os.path.join(os.path.dirname(path), ".tmp-%d-%s" % (os.getpid(), os.path.basename(path)))
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_raw(tensor, path):
    data = tensor.detach().contiguous().to(torch.float32).numpy().astype("<f4").tobytes()
    with atomic(path) as tmp, open(tmp, "wb") as f:
        f.write(data)


def write_onnx(model, x, path, opset):
    with atomic(path) as tmp:
        torch.onnx.export(model, x, tmp, opset_version=opset, input_names=["input"],
                          output_names=["logits"],
                          dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})


def write_torchscript(module, x, logits, path):
    """Save a TorchScript module, reload it and return max |reloaded(x) - logits|."""
    with atomic(path) as tmp:
        module.save(tmp)
        with torch.no_grad():
            diff = (torch.jit.load(tmp)(x) - logits).abs().max().item()
    if diff > 1e-4 * max(1.0, logits.abs().max().item()):
        raise RuntimeError("%s reloaded differs from eager by %g" % (path, diff))
    return diff


# ---------------------------------------------------------------- models

def batchnorms(model):
    return [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]


@torch.no_grad()
def randomize_batchnorm(model, input_shape, gen):
    """Give every BatchNorm random gamma/beta and measured-then-perturbed running stats.

    gamma ~ U(0.5, 1.5), beta ~ U(-0.2, 0.2). The running mean and variance are measured
    on a random N(0,1) batch (each BN in training mode, the rest of the model in eval), then
    mean += U(-0.2, 0.2) * std and var *= U(0.75, 1.25), per channel.
    """
    layers = batchnorms(model)
    for bn in layers:
        c = bn.num_features
        bn.weight.copy_(uniform(c, 0.5, 1.5, gen))
        bn.bias.copy_(uniform(c, -0.2, 0.2, gen))
        bn.reset_running_stats()
        bn.momentum = None            # cumulative average: exactly this batch's statistics
        bn.train()
    if layers:
        model(torch.randn((CALIBRATION_BATCH,) + tuple(input_shape), generator=gen))
    for bn in layers:
        c = bn.num_features
        bn.eval()
        bn.momentum = 0.1
        bn.running_mean.add_(uniform(c, -0.2, 0.2, gen) * bn.running_var.sqrt())
        bn.running_var.mul_(uniform(c, 0.75, 1.25, gen))


def uniform(n, lo, hi, gen):
    return lo + (hi - lo) * torch.rand(n, generator=gen)


@torch.no_grad()
def shrink_classifier(model, logits):
    """Scale the last Linear so that max |logit| becomes LOGIT_TARGET; return the factor."""
    peak = logits.abs().max().item()
    if peak <= MAX_LOGIT:
        return 1.0
    fc = [m for m in model.modules() if isinstance(m, nn.Linear)][-1]
    factor = LOGIT_TARGET / peak
    fc.weight.mul_(factor)
    fc.bias.mul_(factor)
    return factor


def check_logits(logits):
    """The reference must be finite and informative: classes differ, and inputs differ."""
    if not torch.isfinite(logits).all():
        raise RuntimeError("non-finite logits")
    spread = (logits.max(1).values - logits.min(1).values).min().item()
    peak = logits.abs().max().item()
    if spread <= 1e-3 * peak:
        raise RuntimeError("logits are (nearly) equal across classes")
    if (logits[0] - logits[1]).abs().max().item() <= 1e-2 * peak:
        raise RuntimeError("logits hardly depend on the input")
    if peak >= 1e3:
        raise RuntimeError("logits too large: %g" % peak)


@torch.no_grad()
def float64_error(model, x, logits):
    """Relative error of the float32 reference against a float64 run: the tolerance floor."""
    exact = copy.deepcopy(model).double()(x.double())
    return ((logits.double() - exact).abs().max() / exact.abs().max()).item()


def build(s):
    """The model in eval mode, its input batch and its logits, all from s.seed."""
    torch.manual_seed(s.seed)
    model = s.build().eval()
    randomize_batchnorm(model, s.input, torch.Generator().manual_seed(s.seed + 1))
    x = torch.randn((BATCH,) + tuple(s.input), generator=torch.Generator().manual_seed(s.seed + 2))
    with torch.no_grad():
        logits = model(x)
        factor = shrink_classifier(model, logits)
        if factor != 1.0:
            logits = model(x)
    check_logits(logits)
    return model, x, logits, factor


# ---------------------------------------------------------------- fixtures

def entry(s, name, opset, torchscript, scripted):
    """One manifest entry. Paths are relative to the manifest's folder; absent files are null."""
    return {"name": name, "family": s.family, "input": [BATCH] + list(s.input),
            "classes": CLASSES, "opset": opset, "onnx": name + ".onnx",
            "torchscript": torchscript, "torchscript_script": scripted,
            "input_bin": s.name + ".input.bin", "logits_bin": s.name + ".logits.bin"}


def make(s, out):
    """Write all files of one model; return its manifest entries and a line of report."""
    start = time.time()
    model, x, logits, factor = build(s)
    write_raw(x, os.path.join(out, s.name + ".input.bin"))
    write_raw(logits, os.path.join(out, s.name + ".logits.bin"))
    onnx_path = os.path.join(out, s.name + ".onnx")
    if s.channels_last:  # ONNX only: the file takes NHWC and gives probabilities
        write_onnx(ChannelsLast(model).eval(), x.permute(0, 2, 3, 1).contiguous(), onnx_path, OPSET)
        entry_ = entry(s, s.name, OPSET, None, None)
        entry_["channels_last"] = True
        return [entry_], "%-20s %6.2f s  onnx %8.1f KiB  (NHWC input, softmax output)" % (
            s.name, time.time() - start, os.path.getsize(onnx_path) / 1024)
    write_onnx(model, x, onnx_path, OPSET)
    # check_trace re-traces to compare graphs (a third of the run time); the reload check in
    # write_torchscript compares the saved file's outputs with eager instead.
    traced = torch.jit.trace(model, x, check_trace=False)
    diffs = [write_torchscript(traced, x, logits, os.path.join(out, s.name + ".pt"))]
    scripted = scripted_file(model, x, logits, s, out, diffs) if s.script else None
    entries = [entry(s, s.name, OPSET, s.name + ".pt", scripted)]
    for opset in s.extra_opsets:
        name = "%s-opset%d" % (s.name, opset)
        write_onnx(model, x, os.path.join(out, name + ".onnx"), opset)
        entries.append(entry(s, name, opset, None, None))
    report = "%-20s %6.2f s  onnx %8.1f KiB  max|logit| %7.3f  ts-diff %.1e  f64-rel %.1e%s" % (
        s.name, time.time() - start, os.path.getsize(onnx_path) / 1024,
        logits.abs().max().item(), max(diffs), float64_error(model, x, logits),
        "  (classifier x%.3g)" % factor if factor != 1.0 else "")
    return entries, report


def scripted_file(model, x, logits, s, out, diffs):
    """Write NAME-script.pt from torch.jit.script; None (and a note) if it doesn't script."""
    name = s.name + "-script.pt"
    try:
        module = torch.jit.script(model)
    except Exception as e:  # any scripting failure is reported, not fatal
        print("note: %s does not script: %s" % (s.name, str(e).splitlines()[0]), file=sys.stderr)
        return None
    diffs.append(write_torchscript(module, x, logits, os.path.join(out, name)))
    return name


def write_manifest(entries, out):
    with atomic(os.path.join(out, "manifest.json")) as tmp, open(tmp, "w") as f:
        json.dump(entries, f, indent=1)
        f.write("\n")


def selected(only):
    """The specs to make; a variant name such as resnet18-opset11 selects its base model."""
    if not only:
        return SPECS
    names = set(only.split(","))
    known = {s.name for s in SPECS} | {"%s-opset%d" % (s.name, o) for s in SPECS
                                        for o in s.extra_opsets}
    unknown = names - known
    if unknown:
        sys.exit("unknown model(s): %s; known: %s" % (", ".join(sorted(unknown)),
                                                      ", ".join(sorted(known))))
    return [s for s in SPECS if s.name in names or any(n.startswith(s.name + "-opset")
                                                        for n in names)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out_dir")
    parser.add_argument("--only", help="comma-separated model names")
    parser.add_argument("--force", action="store_true",
                        help="write the files even if the manifest is newer than this script")
    args = parser.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    manifest = os.path.join(args.out_dir, "manifest.json")
    if (not args.force and not args.only and os.path.exists(manifest)
            and os.path.getmtime(manifest) > os.path.getmtime(__file__)):
        print("fixtures in %s are up to date (--force to write them again)" % args.out_dir)
        return 0
    start, entries, failed = time.time(), [], []
    for s in selected(args.only):
        try:
            made, report = make(s, args.out_dir)
        except Exception as e:  # report the model and go on with the others
            failed.append(s.name)
            print("%-20s FAILED: %s: %s" % (s.name, type(e).__name__, e), flush=True)
            continue
        entries += made
        print(report, flush=True)
    write_manifest(entries, args.out_dir)
    print("%d file sets, %.1f s%s" % (len(entries), time.time() - start,
                                      ", FAILED: " + ", ".join(failed) if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
