#include "graph/builder.h"

namespace bitshift {

int GraphBuilder::add_node(const std::string& name, OpKind kind, std::vector<int> inputs, Node n) {
  n.name = name;
  n.kind = kind;
  n.inputs = std::move(inputs);
  return graph_.add(std::move(n));
}

int GraphBuilder::conv(const std::string& name, int from, int64_t out_channels, int64_t kernel,
                       int64_t stride, int64_t padding, int64_t groups, bool bias) {
  Node n;
  n.out_channels = out_channels;
  n.window = Window::square(kernel, stride, padding);
  n.groups = groups;
  n.bias = bias;
  return add_node(name, OpKind::Conv2d, {from}, n);
}

int GraphBuilder::linear(const std::string& name, int from, int64_t out_features, bool bias) {
  Node n;
  n.out_channels = out_features;
  n.bias = bias;
  return add_node(name, OpKind::Linear, {from}, n);
}

int GraphBuilder::bn(const std::string& name, int from) {
  return add_node(name, OpKind::BatchNorm2d, {from});
}
int GraphBuilder::relu(const std::string& name, int from) {
  return add_node(name, OpKind::ReLU, {from});
}
int GraphBuilder::relu6(const std::string& name, int from) {
  return add_node(name, OpKind::ReLU6, {from});
}

int GraphBuilder::maxpool(const std::string& name, int from, int64_t kernel, int64_t stride,
                          int64_t padding) {
  Node n;
  n.window = Window::square(kernel, stride, padding);
  return add_node(name, OpKind::MaxPool, {from}, n);
}

int GraphBuilder::avgpool(const std::string& name, int from, int64_t kernel, int64_t stride,
                          int64_t padding) {
  Node n;
  n.window = Window::square(kernel, stride, padding);
  return add_node(name, OpKind::AvgPool, {from}, n);
}

int GraphBuilder::global_avgpool(const std::string& name, int from) {
  return add_node(name, OpKind::GlobalAvgPool, {from});
}
int GraphBuilder::add(const std::string& name, int a, int b) {
  return add_node(name, OpKind::Add, {a, b});
}
int GraphBuilder::flatten(const std::string& name, int from) {
  return add_node(name, OpKind::Flatten, {from});
}
int GraphBuilder::dropout(const std::string& name, int from, double p) {
  Node n;
  n.dropout_p = p;
  return add_node(name, OpKind::Dropout, {from}, n);
}

}  // namespace bitshift
