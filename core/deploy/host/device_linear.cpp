// linear on the device (device/linear.cl): one work-item per output value and sample.
#include "device_context.h"

namespace bitshift {
namespace {

void upload(DeviceContext& ctx, const IntegerModel& model, size_t i) {
  const IntLayer& L = model.layers[i];
  DeviceLayer& d = ctx.layers[i];
  const cl_int count = to_int(static_cast<int64_t>(L.weights.size()), "layer '" + L.name + "' weights");
  d.weights = ctx.decode_weights(L, "bs_unpack_weights", count,
                                 {static_cast<cl_int>(L.c), static_cast<cl_int>(count / L.c), 0});
  d.bias = ctx.upload(L.bias.empty() ? std::vector<int32_t>(static_cast<size_t>(L.c), 0) : L.bias);
  ctx.upload_requant(L, d, static_cast<size_t>(L.c));
  ctx.kernel("bs_linear");
}

void launch(DeviceContext& ctx, size_t i, int64_t n, bool) {
  const IntLayer& L = ctx.shapes.layers[i];
  const DeviceLayer& d = ctx.layers[i];
  const IntLayer& src = ctx.shapes.layers[static_cast<size_t>(L.inputs[0])];
  set_args(ctx.kernel("bs_linear"), ctx.values[static_cast<size_t>(L.inputs[0])], ctx.values[i],
           d.weights, d.bias, d.m, d.shift, d.offset, L.requant.requantized ? 1 : 0,
           L.requant.lo, L.requant.hi, static_cast<cl_int>(src.numel()), static_cast<cl_int>(L.c),
           static_cast<cl_int>(n));
  ctx.enqueue("bs_linear", {size_t(L.c), size_t(n), 1}, 2);
}

}  // namespace

extern const DeviceOpDef kDeviceLinearOp{IntOp::IntLinear, upload, launch};

}  // namespace bitshift
