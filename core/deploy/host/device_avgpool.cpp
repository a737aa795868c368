// avgpool on the device (device/avgpool.cl): the multipliers a count are the layer's constant
// buffer, shift and offset one a channel.
#include "device_context.h"

namespace bitshift {
namespace {

void upload(DeviceContext& ctx, const IntegerModel& model, size_t i) {
  const IntLayer& L = model.layers[i];
  ctx.layers[i].weights = ctx.upload(L.table);  // multipliers for windows of 1…kh·kw positions
  ctx.upload_requant(L, ctx.layers[i], static_cast<size_t>(L.c));
  ctx.kernel("bs_avgpool");
}

void launch(DeviceContext& ctx, size_t i, int64_t n, bool) {
  const IntLayer& L = ctx.shapes.layers[i];
  const IntLayer& src = ctx.shapes.layers[static_cast<size_t>(L.inputs[0])];
  const DeviceLayer& d = ctx.layers[i];
  const IntWindow& w = L.window;
  set_args(ctx.kernel("bs_avgpool"), ctx.values[static_cast<size_t>(L.inputs[0])], ctx.values[i],
           d.weights, d.shift, d.offset, L.requant.lo, L.requant.hi, static_cast<cl_int>(L.c),
           static_cast<cl_int>(src.h), static_cast<cl_int>(src.w), static_cast<cl_int>(L.h),
           static_cast<cl_int>(L.w), static_cast<cl_int>(w.kh), static_cast<cl_int>(w.kw),
           static_cast<cl_int>(w.sh), static_cast<cl_int>(w.sw), static_cast<cl_int>(w.pad_top),
           static_cast<cl_int>(w.pad_left), static_cast<cl_int>(n));
  ctx.enqueue("bs_avgpool", {size_t(L.w), size_t(L.h), size_t(n * L.c)}, 3);
}

}  // namespace

extern const DeviceOpDef kDeviceAvgPoolOp{IntOp::IntAvgPool, upload, launch};

}  // namespace bitshift
