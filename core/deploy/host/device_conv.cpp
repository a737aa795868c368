// conv on the device (device/conv.cl, device/conv_pairs.cl). Two paths: convs with groups 1
// whose input fits int16 and whose weights fit ±32767 run on 16-bit pairs (bs_stage_pairs +
// bs_conv_pairs, conv_pairs.h); the rest on bs_conv, BS_OC_VEC output channels a work-item.
#include "conv_pairs.h"
#include "device_context.h"

namespace bitshift {
namespace {

void upload(DeviceContext& ctx, const IntegerModel& model, size_t i) {
  const IntLayer& L = model.layers[i];
  const IntLayer& src = model.layers[static_cast<size_t>(L.inputs[0])];
  DeviceLayer& d = ctx.layers[i];
  const std::string name = "layer '" + L.name + "'";
  to_int(static_cast<int64_t>(L.weights.size()), name + " weights");
  const int64_t padded = conv_channels_padded(L.c);  // weights, bias and requant in blocks of 16
  d.pairs = runs_on_pairs(model, i);
  if (d.pairs) {
    // [blocks][in_c/2][kh][kw][16] pairs (bs_conv_pairs).
    const int64_t taps = L.window.taps();
    const cl_int count = to_int(padded * ((src.c + 1) / 2) * taps, name + " weight pairs");
    d.weights = ctx.decode_weights(L, "bs_unpack_conv_pairs", count,
                                   {static_cast<cl_int>(L.c), static_cast<cl_int>(src.c),
                                    static_cast<cl_int>(taps), count});
    ctx.kernel("bs_stage_pairs");
    ctx.kernel("bs_conv_pairs");
  } else {
    // Transposed to [per_out][padded] (bs_conv reads consecutive output channels as a vector).
    const int64_t per_out = static_cast<int64_t>(L.weights.size()) / L.c;
    d.weights = ctx.decode_weights(L, "bs_unpack_weights", to_int(per_out * padded, name + " weights"),
                                   {static_cast<cl_int>(L.c), static_cast<cl_int>(per_out),
                                    static_cast<cl_int>(padded)});
    ctx.kernel("bs_conv");
  }
  std::vector<int32_t> bias = L.bias.empty() ? std::vector<int32_t>(static_cast<size_t>(L.c), 0) : L.bias;
  bias.resize(static_cast<size_t>(padded), 0);
  d.bias = ctx.upload(bias);
  ctx.upload_requant(L, d, static_cast<size_t>(padded));
}

void launch_pairs(DeviceContext& ctx, size_t i, int64_t n, bool every_layer) {
  const IntLayer& L = ctx.shapes.layers[i];
  const DeviceLayer& d = ctx.layers[i];
  const IntLayer& src = ctx.shapes.layers[static_cast<size_t>(L.inputs[0])];
  const PairsShape ps = pairs_shape(L, src, ctx.conv_tile);
  const IntWindow& win = L.window;
  const auto pairs = static_cast<cl_int>(ps.pairs), hp = static_cast<cl_int>(ps.hp),
             wp = static_cast<cl_int>(ps.wp), batch_n = static_cast<cl_int>(n);
  if (!d.fed) {
    set_args(ctx.kernel("bs_stage_pairs"), ctx.values[static_cast<size_t>(L.inputs[0])],
             ctx.staged[i], static_cast<cl_int>(src.c), static_cast<cl_int>(src.h),
             static_cast<cl_int>(src.w), pairs, hp, wp, static_cast<cl_int>(win.pad_top),
             static_cast<cl_int>(win.pad_left), batch_n);
    ctx.enqueue("bs_stage_pairs", {size_t(ps.hp), size_t(n * ps.pairs), 1}, 2, true);
  }
  const DeviceContext::StagedOutput next = ctx.staged_output(i);
  set_args(ctx.kernel("bs_conv_pairs"), ctx.staged[i], ctx.values[i], d.weights, d.bias, d.m,
           d.shift, d.offset, L.requant.requantized ? 1 : 0, L.requant.lo, L.requant.hi, pairs,
           hp, wp, static_cast<cl_int>(L.c), static_cast<cl_int>(L.h), static_cast<cl_int>(L.w),
           static_cast<cl_int>(win.kh), static_cast<cl_int>(win.kw), static_cast<cl_int>(win.sh),
           static_cast<cl_int>(win.sw), static_cast<cl_int>(win.dh), static_cast<cl_int>(win.dw),
           batch_n, every_layer || d.read ? 1 : 0, *next.buffer, next.pairs, next.hp, next.wp,
           next.pad_top, next.pad_left);
  ctx.enqueue("bs_conv_pairs", {size_t(ps.tiles), size_t(L.h), size_t(n * ps.blocks)}, 3);
}

void launch(DeviceContext& ctx, size_t i, int64_t n, bool every_layer) {
  const DeviceLayer& d = ctx.layers[i];
  if (d.pairs) return launch_pairs(ctx, i, n, every_layer);
  const IntLayer& L = ctx.shapes.layers[i];
  const IntLayer& src = ctx.shapes.layers[static_cast<size_t>(L.inputs[0])];
  const IntWindow& win = L.window;
  set_args(ctx.kernel("bs_conv"), ctx.values[static_cast<size_t>(L.inputs[0])], ctx.values[i],
           d.weights, d.bias, d.m, d.shift, d.offset, L.requant.requantized ? 1 : 0,
           L.requant.lo, L.requant.hi, static_cast<cl_int>(src.c), static_cast<cl_int>(src.h),
           static_cast<cl_int>(src.w), static_cast<cl_int>(L.c), static_cast<cl_int>(L.h),
           static_cast<cl_int>(L.w), static_cast<cl_int>(win.kh), static_cast<cl_int>(win.kw),
           static_cast<cl_int>(win.sh), static_cast<cl_int>(win.sw),
           static_cast<cl_int>(win.pad_top), static_cast<cl_int>(win.pad_left),
           static_cast<cl_int>(win.dh), static_cast<cl_int>(win.dw),
           static_cast<cl_int>(L.groups), static_cast<cl_int>(n));
  ctx.enqueue("bs_conv", {size_t(L.w), size_t(L.h), size_t(n * conv_channels_padded(L.c) / kConvChannelVector)}, 3);
}

}  // namespace

extern const DeviceOpDef kDeviceConvOp{IntOp::IntConv, upload, launch};

}  // namespace bitshift
