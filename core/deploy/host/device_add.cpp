// add on the device (device/add.cl): one work-item per pair of channel planes and sample; it
// also writes the staged input of a pair conv that reads it (DeviceLayer::next).
#include "device_context.h"

namespace bitshift {
namespace {

void upload(DeviceContext& ctx, const IntegerModel& model, size_t i) {
  ctx.upload_requant(model.layers[i], ctx.layers[i], static_cast<size_t>(model.layers[i].c));
  ctx.kernel("bs_add");
}

void launch(DeviceContext& ctx, size_t i, int64_t n, bool) {
  const IntLayer& L = ctx.shapes.layers[i];
  const DeviceLayer& d = ctx.layers[i];
  const DeviceContext::StagedOutput next = ctx.staged_output(i);
  set_args(ctx.kernel("bs_add"), ctx.values[static_cast<size_t>(L.inputs[0])],
           ctx.values[static_cast<size_t>(L.inputs[1])], ctx.values[i], d.m, d.m2, d.shift,
           d.offset, L.requant.lo, L.requant.hi, static_cast<cl_int>(L.c),
           static_cast<cl_int>(L.h), static_cast<cl_int>(L.w), static_cast<cl_int>(n),
           *next.buffer, next.pairs, next.hp, next.wp, next.pad_top,
           next.pad_left);
  ctx.enqueue("bs_add", {size_t((L.c + 1) / 2), size_t(n), 1}, 2, true);
}

}  // namespace

extern const DeviceOpDef kDeviceAddOp{IntOp::IntAdd, upload, launch};

}  // namespace bitshift
