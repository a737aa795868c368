// concat on the device (device/concat.cl): one launch per run of channels.
#include "device_context.h"

namespace bitshift {
namespace {

void upload(DeviceContext& ctx, const IntegerModel& model, size_t i) {
  ctx.upload_requant(model.layers[i], ctx.layers[i], static_cast<size_t>(model.layers[i].c));
  ctx.kernel("bs_concat");
}

void launch(DeviceContext& ctx, size_t i, int64_t n, bool) {
  const IntLayer& L = ctx.shapes.layers[i];
  const DeviceLayer& d = ctx.layers[i];
  cl_int out_first = 0;
  for (const ChannelRun& r : L.runs) {
    const auto src = static_cast<size_t>(L.inputs[static_cast<size_t>(r.input)]);
    set_args(ctx.kernel("bs_concat"), ctx.values[src], ctx.values[i], d.m, d.shift, d.offset,
             L.requant.lo, L.requant.hi, static_cast<cl_int>(ctx.shapes.layers[src].c),
             static_cast<cl_int>(r.first), static_cast<cl_int>(L.c), out_first,
             static_cast<cl_int>(r.count), static_cast<cl_int>(L.h * L.w), static_cast<cl_int>(n));
    ctx.enqueue("bs_concat", {size_t(r.count), size_t(n), 1}, 2, true);
    out_first += r.count;
  }
}

}  // namespace

extern const DeviceOpDef kDeviceConcatOp{IntOp::IntConcat, upload, launch};

}  // namespace bitshift
