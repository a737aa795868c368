#!/usr/bin/env bash
# Writes the fuzz harnesses' seed corpus (tests/fuzz/corpus/) with the real writers: a tiny CNN
# exported by Debian's python3-torch (ONNX and TorchScript), then bitshift-cli's own quantize,
# export and allocate on it, and the head of Fashion-MNIST. Run once by hand when a format
# changes; the outputs are committed (small on purpose: libFuzzer mutates faster on small files).
#   tests/fuzz/make_seeds.sh BUILD_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:?usage: make_seeds.sh BUILD_DIR}" && pwd)
cli=$build/app/bitshift-cli
out=$here/corpus
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

/usr/bin/python3 - "$work" <<'PY'
import sys, torch, torch.nn as nn
torch.manual_seed(3)
out = sys.argv[1]
# The smallest CNN with every kind of layer the zoo has: conv, BN, ReLU, pool, add, linear.
class Tiny(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 4, 3, stride=2, padding=1)
        self.bn1 = nn.BatchNorm2d(4)
        self.conv2 = nn.Conv2d(4, 4, 3, padding=1)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(4, 10)
    def forward(self, x):
        y = torch.relu(self.bn1(self.conv1(x)))
        y = torch.relu(self.conv2(y) + y)
        return self.fc(torch.flatten(self.pool(y), 1))
m = Tiny().eval()
x = torch.zeros(1, 1, 28, 28)
torch.onnx.export(m, x, f"{out}/tiny.onnx", opset_version=13, input_names=["input"])
torch.jit.trace(m, x).save(f"{out}/tiny.pt")
PY

q=$work/tiny-w4a4.bsck
"$cli" quantize --model "$work/tiny.onnx" --method lsq --bits w4a4 --edges 8bit --epochs 1 \
  --train-limit 256 --test-limit 64 --out "$q" --record "$work/run.json" >/dev/null
"$cli" export --model "$q" --out "$work/bundle" --vectors 1 --agreement-images 16 >/dev/null
"$cli" allocate --model "$work/tiny.onnx" --budget bops=w3a3 --images 64 --out "$work/plan.json" \
  >/dev/null
"$cli" sensitivity --model "$work/tiny.onnx" --method lsq --images 64 --weight-bits 2,3,4,6,8 --json \
  >"$work/sensitivity.json" 2>/dev/null

rm -rf "$out"
mkdir -p "$out"/{checkpoint,run_record,plan,sensitivity,onnx,torchscript,idx,cifar,image,bundle,project}
cp "$q" "$out/checkpoint/tiny-w4a4.bsck"
cp "$work/run.json" "$out/run_record/tiny-w4a4.json"
cp "$work/plan.json" "$out/plan/tiny.json"
cp "$work/sensitivity.json" "$out/sensitivity/tiny-lsq.json"
cp "$work/tiny.onnx" "$out/onnx/"
cp "$work/tiny.pt" "$out/torchscript/"
# A studio project as the studio's own tests save it (any one will do).
project=$(ls "$build"/test-tmp/daily-exports.bitshift.json 2>/dev/null || true)
[[ -n $project ]] && cp "$project" "$out/project/daily.bitshift.json"

# The bundle harness keeps a base bundle's data files (the host sources and reports are not
# read by the bundle reader) and one kernel; each seed replaces one of its files.
base=$here/bundle_base
rm -rf "$base"
mkdir -p "$base"
(cd "$work/bundle" && cp -r --parents network.json ./*.bin testvectors conformance device/linear.cl "$base/")
cp "$work/bundle/MANIFEST.json" "$work/manifest.json"

/usr/bin/python3 - "$out" "$base" "$work/manifest.json" <<'PY'
import gzip, io, os, struct, sys
from PIL import Image
out, base, manifest = sys.argv[1:]
# IDX: one input holds both files: uint32 LE length of the images file, images, labels.
def idx_pair(images, labels):
    return struct.pack("<I", len(images)) + images + labels
n = 3
fm = "/usr/share/datasets/fashion-mnist"  # dataset-fashion-mnist
imgs, lbls = f"{fm}/t10k-images-idx3-ubyte.gz", f"{fm}/t10k-labels-idx1-ubyte.gz"
opener = gzip.open if imgs.endswith(".gz") else open
with opener(imgs, "rb") as f: im = bytearray(f.read(16 + n * 784))
with opener(lbls, "rb") as f: lb = bytearray(f.read(8 + n))
im[4:8] = struct.pack(">I", n); lb[4:8] = struct.pack(">I", n)
open(f"{out}/idx/raw", "wb").write(idx_pair(bytes(im), bytes(lb)))
open(f"{out}/idx/gzip", "wb").write(idx_pair(gzip.compress(bytes(im), mtime=0), gzip.compress(bytes(lb), mtime=0)))
# CIFAR-10: two records of 1 label byte + 3x32x32 pixels.
open(f"{out}/cifar/two.bin", "wb").write(bytes([3]) + bytes(range(256)) * 12 + bytes([7]) + bytes(3072))
# Images: a 6x5 gradient in each format the image folders read.
im = Image.new("RGB", (6, 5))
im.putdata([(x * 40, y * 50, 90) for y in range(5) for x in range(6)])
for fmt, ext in [("PNG", "png"), ("JPEG", "jpg"), ("BMP", "bmp"), ("GIF", "gif")]:
    b = io.BytesIO(); im.save(b, fmt); open(f"{out}/image/small.{ext}", "wb").write(b.getvalue())
b = io.BytesIO(); im.convert("L").save(b, "PNG"); open(f"{out}/image/gray.png", "wb").write(b.getvalue())
# A bundle host program's input image at the base bundle's input size (1x28x28).
os.makedirs(f"{out}/bundle_image", exist_ok=True)
g = Image.new("L", (28, 28)); g.putdata([(x * 9 + y * 3) % 256 for y in range(28) for x in range(28)])
b = io.BytesIO(); g.save(b, "PNG"); open(f"{out}/bundle_image/gray.png", "wb").write(b.getvalue())
b = io.BytesIO(); g.convert("P").save(b, "PNG"); open(f"{out}/bundle_image/palette.png", "wb").write(b.getvalue())
open(f"{out}/bundle_image/gray.pgm", "wb").write(b"P5\n28 28\n255\n" + g.tobytes())
open(f"{out}/bundle_image/colour.ppm", "wb").write(b"P6\n28 28\n255\n" + g.convert("RGB").tobytes())
# Bundle: one seed per file of the base bundle: its name, a NUL, its bytes.
names = []
for root, _, files in os.walk(base):
    for f in files:
        names.append(os.path.relpath(os.path.join(root, f), base))
names.append("MANIFEST.json")
for i, name in enumerate(sorted(names)):
    data = open(manifest if name == "MANIFEST.json" else os.path.join(base, name), "rb").read()
    open(f"{out}/bundle/{i:02d}", "wb").write(name.encode() + b"\0" + data)
PY
echo "$(find "$out" -type f | wc -l) seed files in $out, base bundle in $base"
