// maxpool on the device (device/maxpool.cl).
#include "device_context.h"

namespace bitshift {
namespace {

void upload(DeviceContext& ctx, const IntegerModel&, size_t) { ctx.kernel("bs_maxpool"); }

void launch(DeviceContext& ctx, size_t i, int64_t n, bool) { launch_pool(ctx, "bs_maxpool", i, n); }

}  // namespace

extern const DeviceOpDef kDeviceMaxPoolOp{IntOp::IntMaxPool, upload, launch};

}  // namespace bitshift
