// sumpool on the device (device/sumpool.cl).
#include "device_context.h"

namespace bitshift {
namespace {

void upload(DeviceContext& ctx, const IntegerModel&, size_t) { ctx.kernel("bs_sumpool"); }

void launch(DeviceContext& ctx, size_t i, int64_t n, bool) { launch_pool(ctx, "bs_sumpool", i, n); }

}  // namespace

extern const DeviceOpDef kDeviceSumPoolOp{IntOp::IntSumPool, upload, launch};

}  // namespace bitshift
