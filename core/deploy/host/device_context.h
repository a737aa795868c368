#pragma once
// What the OpenCL runtime's per-op code (device_<op>.cpp) works with: the device, the built
// program, kernels by name, every layer's constant buffers and the batch's value buffers.
// Internal to the runtime (opencl_runtime.cpp owns one); std and the OpenCL C API only.
#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "integer/int_op.h"
#include "opencl_api.h"

namespace bitshift {

// Output channels each bs_conv work-item computes as one vector (BS_OC_VEC of device/conv.cl).
constexpr int64_t kConvChannelVector = 16;
inline int64_t conv_channels_padded(int64_t c) {
  return (c + kConvChannelVector - 1) / kConvChannelVector * kConvChannelVector;
}

// Kernels index with int: every size must fit. Throws naming `what`.
cl_int to_int(int64_t v, const std::string& what);

// One layer's constant data on the device. Absent vectors are one zero (OpenCL has no empty
// buffers), so every kernel argument is a valid buffer.
struct DeviceLayer {
  Mem weights;  // decoded weight values (bs_unpack_weights), int32, or pairs for a pair conv
  Mem bias, m, m2, shift, offset;
  bool pairs = false;  // a conv on 16-bit pairs (bs_stage_pairs + bs_conv_pairs)
  int64_t per_channel = 0;  // a threshold's thresholds per channel (the table is not kept)
  // Staging by the producer (plan_staging): `next` is a pair conv reading this layer whose
  // staged input this layer writes (-1: none); `fed` says a layer's staged input is written by
  // its producer; `read` whether anything but `next` reads the output.
  int64_t next = -1;
  bool fed = false, read = true;
};

struct DeviceContext {
  OpenClDeviceInfo info;
  cl_device_id device = nullptr;
  bool cpu = false;  // CL_DEVICE_TYPE_CPU (work-group shapes, see enqueue)
  Context context;
  Queue queue;
  Program program;
  int64_t conv_tile = 7;  // BS_CONV_TILE, chosen for the model (choose_conv_tile)
  IntegerModel shapes;    // the model without weights
  std::vector<DeviceLayer> layers;
  int64_t batch = -1;       // samples the value buffers hold
  std::vector<Mem> values;  // each layer's output, [n][c][h][w] int32
  std::vector<Mem> staged;  // each pair conv's input as pairs (PairsShape), padding zeroed

  // A read-only buffer holding `v` (one zero when empty).
  template <typename T>
  Mem upload(const std::vector<T>& v);
  // The program's kernel `name`, created on first use.
  cl_kernel kernel(const std::string& name);
  // Enqueues kernel `name` over `global` (rounded up to its required work-group size, if any).
  // `row_groups`: on a CPU, one work-group per index of the outer dimensions, for kernels whose
  // work-items loop over a whole plane or row (left to itself PoCL puts the whole range into a
  // few groups, which then run on one core).
  void enqueue(const std::string& name, std::array<size_t, 3> global, cl_uint dims,
               bool row_groups = false);
  // Layer i's m, m2, shift and offset, each with c entries padded with zeros to `padded`.
  void upload_requant(const IntLayer& L, DeviceLayer& d, size_t padded);
  // The layer's stored weight codes (weight_storage.h), decoded on the device by `decoder`
  // (device/weights.cl) into `count` int32 values; `layout` are the decoder's last arguments.
  Mem decode_weights(const IntLayer& L, const std::string& decoder, cl_int count,
                     const std::vector<cl_int>& layout);

  // Where layer i writes the staged input of layers[i].next (bs_conv_pairs, bs_add arguments).
  struct StagedOutput {
    const Mem* buffer;
    cl_int pairs, hp, wp, pad_top, pad_left;  // pairs 0: none
  };
  StagedOutput staged_output(size_t i);

 private:
  struct KernelEntry {
    Kernel kernel;
    std::array<size_t, 3> work_group{0, 0, 0};  // reqd_work_group_size, {0,0,0} = free
  };
  std::map<std::string, KernelEntry> kernels_;
  KernelEntry& entry(const std::string& name);
};

template <typename T>
Mem DeviceContext::upload(const std::vector<T>& v) {
  const std::vector<T> one(1, T{});
  const std::vector<T>& data = v.empty() ? one : v;
  cl_int status = CL_SUCCESS;
  cl_mem m = clCreateBuffer(context.get(), CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR,
                            data.size() * sizeof(T), const_cast<T*>(data.data()), &status);
  check(status, "clCreateBuffer of " + std::to_string(data.size() * sizeof(T)) + " bytes");
  return Mem(m);
}

// Pools (bs_maxpool, bs_sumpool): one work-item per output value, the window's arguments.
void launch_pool(DeviceContext& ctx, const std::string& kernel, size_t i, int64_t n);

// Each integer op's device side, one file each (device_<op>.cpp with its device/<op>.cl).
struct DeviceOpDef {
  IntOp op;
  // Uploads layer i's constants (weights, bias, requantization) to ctx.layers[i] and creates its
  // kernels, so that a kernel missing from the program fails at load time.
  void (*upload)(DeviceContext& ctx, const IntegerModel& model, size_t i);
  // Enqueues layer i for a batch of n samples; `every_layer` asks for every output written.
  void (*launch)(DeviceContext& ctx, size_t i, int64_t n, bool every_layer);
};
const DeviceOpDef& device_op(IntOp op);

}  // namespace bitshift
