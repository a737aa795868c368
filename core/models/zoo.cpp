#include "models/zoo.h"

#include "util/error.h"

namespace bitshift {

const std::vector<ZooEntry>& zoo_models() {
  static const std::vector<ZooEntry> models = {
      {"lenet5", "LeNet-5 with BatchNorm: 2 conv (6, 16 ch, 5x5) + 3 FC (120, 84, classes)"},
      {"cnv", "FINN's CNV: VGG-like 6 conv (64-64-128-128-256-256) + 3 FC (512, 512)"},
      {"cnn3", "3-conv CNN (32/64/128 ch, BN, ReLU, max-pool) + FC: the speed reference"},
      {"resnet20", "ResNet-20, CIFAR style: 3 stages x 3 basic blocks (16/32/64 ch)"},
      {"resnet18", "ResNet-18 as torchvision (same parameter names, 7x7 stem)"},
      {"mobilenetv2", "MobileNetV2 as torchvision, with a width multiplier (--width)"},
  };
  return models;
}

Graph build_model(const std::string& name, Shape input, int num_classes, double width) {
  if (name == "lenet5") return lenet5(input, num_classes);
  if (name == "cnv") return cnv(input, num_classes);
  if (name == "cnn3") return cnn3(input, num_classes);
  if (name == "resnet20") return resnet20(input, num_classes);
  if (name == "resnet18") return resnet18(input, num_classes);
  if (name == "mobilenetv2") return mobilenetv2(input, num_classes, width);
  std::string known;
  for (const auto& m : zoo_models()) known += (known.empty() ? "" : ", ") + m.name;
  throw Error("unknown model '" + name + "' (expected one of: " + known + ", or a checkpoint file)");
}

}  // namespace bitshift
