// mul on the device (device/mul.cl).
#include "device_context.h"

namespace bitshift {
namespace {

void upload(DeviceContext& ctx, const IntegerModel& model, size_t i) {
  ctx.upload_requant(model.layers[i], ctx.layers[i], static_cast<size_t>(model.layers[i].c));
  ctx.kernel("bs_mul");
}

void launch(DeviceContext& ctx, size_t i, int64_t n, bool) {
  const IntLayer& L = ctx.shapes.layers[i];
  const DeviceLayer& d = ctx.layers[i];
  const IntLayer& b = ctx.shapes.layers[static_cast<size_t>(L.inputs[1])];
  const bool broadcast = mul_broadcasts(L, b);
  set_args(ctx.kernel("bs_mul"), ctx.values[static_cast<size_t>(L.inputs[0])],
           ctx.values[static_cast<size_t>(L.inputs[1])], ctx.values[i], d.m, d.shift, d.offset,
           L.requant.lo, L.requant.hi, static_cast<cl_int>(L.c), static_cast<cl_int>(L.h * L.w),
           static_cast<cl_int>(broadcast ? 1 : 0), static_cast<cl_int>(n));
  ctx.enqueue("bs_mul", {size_t(L.c), size_t(n), 1}, 2, true);
}

}  // namespace

extern const DeviceOpDef kDeviceMulOp{IntOp::IntMul, upload, launch};

}  // namespace bitshift
