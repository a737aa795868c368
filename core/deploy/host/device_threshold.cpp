// threshold on the device (device/threshold.cl): the thresholds are the layer's constant buffer.
#include "device_context.h"

namespace bitshift {
namespace {

void upload(DeviceContext& ctx, const IntegerModel& model, size_t i) {
  const IntLayer& L = model.layers[i];
  ctx.layers[i].weights = ctx.upload(L.table);  // thresholds, [c][n]
  ctx.layers[i].per_channel = static_cast<int64_t>(L.table.size()) / L.c;
  ctx.upload_requant(L, ctx.layers[i], static_cast<size_t>(L.c));
  ctx.kernel("bs_threshold");
}

void launch(DeviceContext& ctx, size_t i, int64_t n, bool) {
  const IntLayer& L = ctx.shapes.layers[i];
  const DeviceLayer& d = ctx.layers[i];
  const cl_int count = to_int(n * L.numel(), "layer '" + L.name + "' values in a batch");
  set_args(ctx.kernel("bs_threshold"), ctx.values[static_cast<size_t>(L.inputs[0])],
           ctx.values[i], d.weights, d.m, d.offset,
           static_cast<cl_int>(d.per_channel),
           static_cast<cl_int>(L.c), static_cast<cl_int>(L.h * L.w), L.requant.lo, L.requant.hi,
           count);
  ctx.enqueue("bs_threshold", {size_t(count), 1, 1}, 1);
}

}  // namespace

extern const DeviceOpDef kDeviceThresholdOp{IntOp::IntThreshold, upload, launch};

}  // namespace bitshift
