// The small plain CNNs of the zoo: LeNet-5, FINN's CNV and the 3-conv speed reference.
#include "graph/builder.h"
#include "models/zoo.h"

namespace bitshift {

Graph lenet5(Shape input, int num_classes) {
  GraphBuilder b("lenet5", input, num_classes);
  int x = b.conv("conv1", b.input(), 6, 5, 1, 2);
  x = b.maxpool("pool1", b.relu("relu1", b.bn("bn1", x)), 2, 2);
  x = b.conv("conv2", x, 16, 5);
  x = b.maxpool("pool2", b.relu("relu2", b.bn("bn2", x)), 2, 2);
  x = b.flatten("flatten", x);
  x = b.relu("relu3", b.linear("fc1", x, 120));
  x = b.relu("relu4", b.linear("fc2", x, 84));
  b.linear("fc3", x, num_classes);
  return b.build();
}

Graph cnv(Shape input, int num_classes) {
  // FINN's CNV uses valid 3x3 convolutions on 32x32 inputs; smaller inputs (28x28) get
  // padding on the first two convolutions so the feature map still ends at 1x1.
  const int64_t pad = input.h < 32 ? 1 : 0;
  GraphBuilder b("cnv", input, num_classes);
  const int64_t channels[6] = {64, 64, 128, 128, 256, 256};
  int x = b.input();
  for (int i = 0; i < 6; ++i) {
    const std::string id = std::to_string(i);
    x = b.conv("conv" + id, x, channels[i], 3, 1, i < 2 ? pad : 0);
    x = b.relu("relu" + id, b.bn("bn" + id, x));
    if (i == 1 || i == 3) x = b.maxpool("pool" + id, x, 2, 2);
  }
  x = b.flatten("flatten", x);
  x = b.relu("fc0.relu", b.linear("fc0", x, 512));
  x = b.relu("fc1.relu", b.linear("fc1", x, 512));
  b.linear("fc2", x, num_classes);
  return b.build();
}

Graph cnn3(Shape input, int num_classes) {
  GraphBuilder b("cnn3", input, num_classes);
  int x = b.input();
  const int64_t channels[3] = {32, 64, 128};
  for (int i = 0; i < 3; ++i) {
    const std::string id = std::to_string(i + 1);
    x = b.conv("conv" + id, x, channels[i], 3, 1, 1);
    x = b.maxpool("pool" + id, b.relu("relu" + id, b.bn("bn" + id, x)), 2, 2);
  }
  b.linear("fc", b.flatten("flatten", x), num_classes);
  return b.build();
}

}  // namespace bitshift
