// The device side of every integer op (device_context.h); each op's entry is in device_<op>.cpp.
#include <stdexcept>

#include "device_context.h"

namespace bitshift {

namespace {
// The input is written by the host (OpenClRuntime::run): nothing to upload or launch.
void upload_input(DeviceContext&, const IntegerModel&, size_t) {}
void launch_input(DeviceContext&, size_t, int64_t, bool) {}
const DeviceOpDef kDeviceInputOp{IntOp::IntInput, upload_input, launch_input};
}  // namespace

extern const DeviceOpDef kDeviceConvOp, kDeviceLinearOp, kDeviceMaxPoolOp, kDeviceSumPoolOp,
    kDeviceAddOp, kDeviceConcatOp, kDeviceLookupOp, kDeviceMulOp, kDeviceThresholdOp,
    kDeviceAvgPoolOp;

const DeviceOpDef& device_op(IntOp op) {
  static const DeviceOpDef* const ops[] = {&kDeviceInputOp,   &kDeviceConvOp,    &kDeviceLinearOp,
                                           &kDeviceMaxPoolOp, &kDeviceSumPoolOp, &kDeviceAddOp,
                                           &kDeviceConcatOp,  &kDeviceLookupOp,  &kDeviceMulOp,
                                           &kDeviceThresholdOp, &kDeviceAvgPoolOp};
  for (const DeviceOpDef* d : ops)
    if (d->op == op) return *d;
  throw std::runtime_error(std::string("integer op '") + int_op_name(op) +
                           "' has no OpenCL kernel in this runtime");
}

}  // namespace bitshift
