#include "device_context.h"

#include <algorithm>
#include <limits>
#include <stdexcept>

#include "../device/weight_storage.h"
#include "codec.h"
#include "conv_pairs.h"

namespace bitshift {

cl_int to_int(int64_t v, const std::string& what) {
  if (v < 0 || v > std::numeric_limits<cl_int>::max())
    throw std::runtime_error(what + " = " + std::to_string(v) + " does not fit the kernels' int");
  return static_cast<cl_int>(v);
}

DeviceContext::KernelEntry& DeviceContext::entry(const std::string& name) {
  KernelEntry& e = kernels_[name];
  if (e.kernel.get()) return e;
  cl_int status = CL_SUCCESS;
  e.kernel.reset(clCreateKernel(program.get(), name.c_str(), &status));
  check(status, "clCreateKernel " + name);
  check(clGetKernelWorkGroupInfo(e.kernel.get(), device, CL_KERNEL_COMPILE_WORK_GROUP_SIZE,
                                 sizeof(e.work_group), e.work_group.data(), nullptr),
        "clGetKernelWorkGroupInfo " + name);
  return e;
}

cl_kernel DeviceContext::kernel(const std::string& name) { return entry(name).kernel.get(); }

void DeviceContext::enqueue(const std::string& name, std::array<size_t, 3> global, cl_uint dims,
                            bool row_groups) {
  const KernelEntry& e = entry(name);
  const std::array<size_t, 3>& wg = e.work_group;
  const bool fixed = wg[0] != 0;
  // A kernel compiled with reqd_work_group_size runs in whole groups; ids beyond the layer
  // return at once.
  if (fixed)
    for (cl_uint d = 0; d < dims; ++d) global[d] = (global[d] + wg[d] - 1) / wg[d] * wg[d];
  const std::array<size_t, 3> rows{global[0], 1, 1};
  const size_t* local = fixed ? wg.data() : (row_groups && cpu ? rows.data() : nullptr);
  check(clEnqueueNDRangeKernel(queue.get(), e.kernel.get(), dims, nullptr, global.data(), local,
                               0, nullptr, nullptr),
        "clEnqueueNDRangeKernel " + name);
}

namespace {

// A per-channel vector with c entries (size 1 applies to every channel, empty is `fill`),
// padded with `fill` to `padded`.
template <typename T>
std::vector<T> channels(const std::vector<T>& v, int64_t c, size_t padded, T fill,
                        const IntLayer& L, const char* what) {
  std::vector<T> out;
  if (v.empty()) out.assign(static_cast<size_t>(c), fill);
  else if (v.size() == 1) out.assign(static_cast<size_t>(c), v[0]);
  else if (static_cast<int64_t>(v.size()) == c) out = v;
  else
    throw std::runtime_error("layer '" + L.name + "': " + what + " has " +
                             std::to_string(v.size()) + " entries for " + std::to_string(c) +
                             " channels");
  if (out.size() < padded) out.resize(padded, fill);
  return out;
}

}  // namespace

void DeviceContext::upload_requant(const IntLayer& L, DeviceLayer& d, size_t padded) {
  const Requant& r = L.requant;
  d.m = upload(channels(r.m, L.c, padded, int32_t{0}, L, "m"));
  d.m2 = upload(channels(r.m2, L.c, padded, int32_t{0}, L, "m2"));
  d.shift = upload(channels(r.shift, L.c, padded, int32_t{0}, L, "shift"));
  d.offset = upload(channels(r.offset, L.c, padded, int64_t{0}, L, "offset"));
}

Mem DeviceContext::decode_weights(const IntLayer& L, const std::string& decoder, cl_int count,
                                  const std::vector<cl_int>& layout) {
  cl_kernel k = kernel(decoder);
  const bool has_table = !L.table.empty();
  std::string stored = L.packed_weights;  // a bundle's bytes as read
  if (!stored.empty() &&
      stored.size() != packed_weight_bytes(static_cast<int64_t>(L.weights.size()), L.w_bits))
    throw std::runtime_error("layer '" + L.name + "': " + std::to_string(stored.size()) +
                             " bytes of packed weights for " + std::to_string(L.weights.size()) +
                             " " + std::to_string(L.w_bits) + "-bit codes");
  if (stored.empty() && !L.weights.empty()) {
    try {
      stored = pack_weight_codes(L.weights, L.w_bits, has_table);
    } catch (const std::runtime_error& e) {
      throw std::runtime_error("layer '" + L.name + "': " + e.what());
    }
  }
  const Mem w = upload(std::vector<unsigned char>(stored.begin(), stored.end()));
  const Mem table = upload(L.table);
  cl_int status = CL_SUCCESS;
  Mem values(clCreateBuffer(context.get(), CL_MEM_READ_WRITE,
                            static_cast<size_t>(std::max<cl_int>(count, 1)) * sizeof(int32_t),
                            nullptr, &status));
  check(status, "clCreateBuffer for layer '" + L.name + "' weights");
  set_args(k, w, table, static_cast<cl_int>(BS_WEIGHT_FORMAT(L.w_bits)),
           static_cast<cl_int>(has_table ? 1 : 0), values);
  for (size_t a = 0; a < layout.size(); ++a) set_arg(k, static_cast<cl_uint>(5 + a), layout[a]);
  enqueue(decoder, {static_cast<size_t>(count), 1, 1}, 1);
  check(clFinish(queue.get()), "clFinish after decoding layer '" + L.name + "' weights");
  return values;
}

DeviceContext::StagedOutput DeviceContext::staged_output(size_t i) {
  const DeviceLayer& d = layers[i];
  if (d.next < 0) return {&values[i], 0, 0, 0, 0, 0};  // a valid buffer the kernel never writes
  const IntLayer& reader = shapes.layers[static_cast<size_t>(d.next)];
  const PairsShape ps = pairs_shape(reader, shapes.layers[i], conv_tile);
  return {&staged[static_cast<size_t>(d.next)], static_cast<cl_int>(ps.pairs),
          static_cast<cl_int>(ps.hp), static_cast<cl_int>(ps.wp),
          static_cast<cl_int>(reader.window.pad_top), static_cast<cl_int>(reader.window.pad_left)};
}

void launch_pool(DeviceContext& ctx, const std::string& kernel, size_t i, int64_t n) {
  const IntLayer& L = ctx.shapes.layers[i];
  const IntLayer& src = ctx.shapes.layers[static_cast<size_t>(L.inputs[0])];
  IntWindow w = L.window;
  if (w.global()) w.kh = src.h, w.kw = src.w;  // the whole map, output C×1×1
  set_args(ctx.kernel(kernel), ctx.values[static_cast<size_t>(L.inputs[0])], ctx.values[i],
           static_cast<cl_int>(L.c), static_cast<cl_int>(src.h), static_cast<cl_int>(src.w),
           static_cast<cl_int>(L.h), static_cast<cl_int>(L.w), static_cast<cl_int>(w.kh),
           static_cast<cl_int>(w.kw), static_cast<cl_int>(w.sh), static_cast<cl_int>(w.sw),
           static_cast<cl_int>(w.pad_top), static_cast<cl_int>(w.pad_left), static_cast<cl_int>(n));
  ctx.enqueue(kernel, {size_t(L.w), size_t(L.h), size_t(n * L.c)}, 3);
}

}  // namespace bitshift
