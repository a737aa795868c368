#include "graph/builder.h"

namespace bitshift {

int GraphBuilder::push(const std::string& name, OpKind kind, std::vector<int> inputs, Node n) {
  n.name = name;
  n.kind = kind;
  n.inputs = std::move(inputs);
  return graph_.add(std::move(n));
}

int GraphBuilder::conv(const std::string& name, int from, int64_t out_channels, int64_t kernel,
                       int64_t stride, int64_t padding, int64_t groups, bool bias) {
  Node n;
  n.out_channels = out_channels;
  n.kernel = kernel;
  n.stride = stride;
  n.padding = padding;
  n.groups = groups;
  n.bias = bias;
  return push(name, OpKind::OpConv2d, {from}, n);
}

int GraphBuilder::linear(const std::string& name, int from, int64_t out_features, bool bias) {
  Node n;
  n.out_channels = out_features;
  n.bias = bias;
  return push(name, OpKind::OpLinear, {from}, n);
}

int GraphBuilder::bn(const std::string& name, int from) {
  return push(name, OpKind::OpBatchNorm2d, {from});
}
int GraphBuilder::relu(const std::string& name, int from) {
  return push(name, OpKind::OpReLU, {from});
}
int GraphBuilder::relu6(const std::string& name, int from) {
  return push(name, OpKind::OpReLU6, {from});
}

int GraphBuilder::maxpool(const std::string& name, int from, int64_t kernel, int64_t stride,
                          int64_t padding) {
  Node n;
  n.kernel = kernel;
  n.stride = stride;
  n.padding = padding;
  return push(name, OpKind::OpMaxPool, {from}, n);
}

int GraphBuilder::avgpool(const std::string& name, int from, int64_t kernel, int64_t stride,
                          int64_t padding) {
  Node n;
  n.kernel = kernel;
  n.stride = stride;
  n.padding = padding;
  return push(name, OpKind::OpAvgPool, {from}, n);
}

int GraphBuilder::global_avgpool(const std::string& name, int from) {
  return push(name, OpKind::OpGlobalAvgPool, {from});
}
int GraphBuilder::add(const std::string& name, int a, int b) {
  return push(name, OpKind::OpAdd, {a, b});
}
int GraphBuilder::flatten(const std::string& name, int from) {
  return push(name, OpKind::OpFlatten, {from});
}
int GraphBuilder::dropout(const std::string& name, int from, double p) {
  Node n;
  n.dropout_p = p;
  return push(name, OpKind::OpDropout, {from}, n);
}

}  // namespace bitshift
