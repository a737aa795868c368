#include "graph/node.h"

#include "util/error.h"

namespace bitshift {

namespace {
struct OpNameEntry {
  OpKind kind;
  const char* name;
};
constexpr OpNameEntry kOpNames[] = {
    {OpKind::OpInput, "input"},         {OpKind::OpConv2d, "conv2d"},
    {OpKind::OpLinear, "linear"},       {OpKind::OpBatchNorm2d, "batchnorm2d"},
    {OpKind::OpReLU, "relu"},           {OpKind::OpReLU6, "relu6"},
    {OpKind::OpMaxPool, "maxpool"},     {OpKind::OpAvgPool, "avgpool"},
    {OpKind::OpGlobalAvgPool, "gap"},   {OpKind::OpAdd, "add"},
    {OpKind::OpFlatten, "flatten"},     {OpKind::OpDropout, "dropout"},
};
}  // namespace

const char* op_name(OpKind kind) {
  for (const auto& e : kOpNames)
    if (e.kind == kind) return e.name;
  return "?";
}

OpKind op_from_name(const std::string& name) {
  std::string known;
  for (const auto& e : kOpNames) {
    if (name == e.name) return e.kind;
    known += std::string(known.empty() ? "" : ", ") + e.name;
  }
  throw Error("unknown op '" + name + "' (expected one of: " + known + ")");
}

}  // namespace bitshift
