#pragma once
// What the engine (core/) says, computed without the studio, for the GUI tests to compare
// with. Qt-free: this is the only test file that includes LibTorch.
#include <string>
#include <vector>

namespace bitshift::test {

// `model` is a zoo name or an .onnx/.pt file (imported at Fashion-MNIST's 1x28x28).
// BOPs of `model` on Fashion-MNIST with the plan "layer=method:w/a" entries, via core's cost().
double reference_bops(const std::string& model, const std::vector<std::string>& entries);
// Weight layers of the model's graph, in order.
std::vector<std::string> reference_layers(const std::string& model);

}  // namespace bitshift::test
