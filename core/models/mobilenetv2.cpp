// MobileNetV2 as torchvision builds it (names "features.N...", "classifier.1").
#include <cmath>

#include "graph/builder.h"
#include "models/zoo.h"
#include "util/error.h"

namespace bitshift {

namespace {

// torchvision's _make_divisible: round channels to a multiple of 8, never down by more than 10 %.
int64_t make_divisible(double v, int64_t divisor = 8) {
  int64_t r = std::max<int64_t>(divisor, static_cast<int64_t>(v + divisor / 2.0) / divisor * divisor);
  if (r < 0.9 * v) r += divisor;
  return r;
}

// Conv + BN + ReLU6 named prefix.0, prefix.1, prefix.2 (torchvision's Conv2dNormActivation).
int conv_bn_relu6(GraphBuilder& b, const std::string& prefix, int x, int64_t out, int64_t k,
                  int64_t stride, int64_t groups) {
  x = b.conv(prefix + ".0", x, out, k, stride, (k - 1) / 2, groups);
  return b.relu6(prefix + ".2", b.bn(prefix + ".1", x));
}

int inverted_residual(GraphBuilder& b, const std::string& prefix, int x, int64_t out,
                      int64_t stride, int64_t expand) {
  const int64_t in = b.node(x).out_shape.c;
  const int64_t hidden = in * expand;
  int y = x;
  int idx = 0;
  if (expand != 1) {
    y = conv_bn_relu6(b, prefix + ".conv.0", y, hidden, 1, 1, 1);
    idx = 1;
  }
  y = conv_bn_relu6(b, prefix + ".conv." + std::to_string(idx), y, hidden, 3, stride, hidden);
  y = b.conv(prefix + ".conv." + std::to_string(idx + 1), y, out, 1);
  y = b.bn(prefix + ".conv." + std::to_string(idx + 2), y);
  if (stride == 1 && in == out) y = b.add(prefix + ".add", x, y);
  return y;
}

}  // namespace

Graph mobilenetv2(Shape input, int num_classes, double width) {
  require(width > 0.0 && width <= 4.0,
          "mobilenetv2: width multiplier must be in (0, 4], got " + std::to_string(width));
  GraphBuilder b("mobilenetv2", input, num_classes);
  // (expansion t, channels c, repeats n, first stride s), from the paper / torchvision.
  const int64_t settings[7][4] = {{1, 16, 1, 1}, {6, 24, 2, 2},  {6, 32, 3, 2}, {6, 64, 4, 2},
                                  {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};
  int x = conv_bn_relu6(b, "features.0", b.input(), make_divisible(32 * width), 3, 2, 1);
  int feature = 1;
  for (const auto& s : settings) {
    const int64_t out = make_divisible(s[1] * width);
    for (int64_t i = 0; i < s[2]; ++i, ++feature)
      x = inverted_residual(b, "features." + std::to_string(feature), x, out, i == 0 ? s[3] : 1,
                            s[0]);
  }
  const int64_t last = make_divisible(1280 * std::max(1.0, width));
  x = conv_bn_relu6(b, "features." + std::to_string(feature), x, last, 1, 1, 1);
  x = b.global_avgpool("avgpool", x);
  x = b.dropout("classifier.0", x, 0.2);
  b.linear("classifier.1", x, num_classes);
  return b.build();
}

}  // namespace bitshift
