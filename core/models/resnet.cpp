// ResNets of the zoo: CIFAR-style ResNet-20 and torchvision's ResNet-18 (same parameter names).
#include "graph/builder.h"
#include "models/zoo.h"

namespace bitshift {

namespace {

// A basic block (two 3x3 convs) named like torchvision's: prefix.conv1, .bn1, ..., .downsample.0.
// A 1x1 projection ("option B") is used when the shape changes.
int basic_block(GraphBuilder& b, const std::string& prefix, int x, int64_t planes, int64_t stride) {
  const Shape in = b.node(x).out_shape;
  int y = b.conv(prefix + ".conv1", x, planes, 3, stride, 1);
  y = b.relu(prefix + ".relu1", b.bn(prefix + ".bn1", y));
  y = b.bn(prefix + ".bn2", b.conv(prefix + ".conv2", y, planes, 3, 1, 1));
  int shortcut = x;
  if (stride != 1 || in.c != planes) {
    shortcut = b.conv(prefix + ".downsample.0", x, planes, 1, stride);
    shortcut = b.bn(prefix + ".downsample.1", shortcut);
  }
  return b.relu(prefix + ".relu2", b.add(prefix + ".add", y, shortcut));
}

}  // namespace

Graph resnet20(Shape input, int num_classes) {
  GraphBuilder b("resnet20", input, num_classes);
  int x = b.conv("conv1", b.input(), 16, 3, 1, 1);
  x = b.relu("relu", b.bn("bn1", x));
  const int64_t planes[3] = {16, 32, 64};
  for (int stage = 0; stage < 3; ++stage)
    for (int block = 0; block < 3; ++block)
      x = basic_block(b, "layer" + std::to_string(stage + 1) + "." + std::to_string(block), x,
                      planes[stage], stage > 0 && block == 0 ? 2 : 1);
  x = b.global_avgpool("avgpool", x);
  b.linear("fc", x, num_classes);
  return b.build();
}

Graph resnet18(Shape input, int num_classes) {
  GraphBuilder b("resnet18", input, num_classes);
  int x = b.conv("conv1", b.input(), 64, 7, 2, 3);
  x = b.maxpool("maxpool", b.relu("relu", b.bn("bn1", x)), 3, 2, 1);
  const int64_t planes[4] = {64, 128, 256, 512};
  for (int stage = 0; stage < 4; ++stage)
    for (int block = 0; block < 2; ++block)
      x = basic_block(b, "layer" + std::to_string(stage + 1) + "." + std::to_string(block), x,
                      planes[stage], stage > 0 && block == 0 ? 2 : 1);
  x = b.global_avgpool("avgpool", x);
  b.linear("fc", x, num_classes);
  return b.build();
}

}  // namespace bitshift
