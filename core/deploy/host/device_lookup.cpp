// lookup on the device (device/lookup.cl): the table is the layer's constant buffer.
#include "device_context.h"

namespace bitshift {
namespace {

void upload(DeviceContext& ctx, const IntegerModel& model, size_t i) {
  ctx.layers[i].weights = ctx.upload(model.layers[i].table);  // output code per input value
  ctx.kernel("bs_lookup");
}

void launch(DeviceContext& ctx, size_t i, int64_t n, bool) {
  const IntLayer& L = ctx.shapes.layers[i];
  const IntLayer& src = ctx.shapes.layers[static_cast<size_t>(L.inputs[0])];
  const cl_int count = to_int(n * L.numel(), "layer '" + L.name + "' values in a batch");
  set_args(ctx.kernel("bs_lookup"), ctx.values[static_cast<size_t>(L.inputs[0])], ctx.values[i],
           ctx.layers[i].weights, static_cast<cl_int>(src.min_value), count);
  ctx.enqueue("bs_lookup", {size_t(count), 1, 1}, 1);
}

}  // namespace

extern const DeviceOpDef kDeviceLookupOp{IntOp::IntLookup, upload, launch};

}  // namespace bitshift
