#include "opencl_runtime.h"

#include "conv_pairs.h"
#include "integer/int_op.h"
#include "opencl_api.h"

#include <array>
#include <cstdint>
#include <limits>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace bitshift {

namespace {

// Kernels index with int: every size must fit.
cl_int to_int(int64_t v, const std::string& what) {
  if (v < 0 || v > std::numeric_limits<cl_int>::max())
    throw std::runtime_error(what + " = " + std::to_string(v) + " does not fit the kernels' int");
  return static_cast<cl_int>(v);
}

// Weight storage on the device, by w_bits (FORMAT.md and device/common.cl agree on it).
constexpr cl_int kPacked4 = 4, kInt8 = 8, kInt32 = 32;
// Output channels each bs_conv work-item computes as one vector (BS_OC_VEC of device/conv.cl).
constexpr int64_t kConvChannelVector = 16;
int64_t conv_channels_padded(int64_t c) {
  return (c + kConvChannelVector - 1) / kConvChannelVector * kConvChannelVector;
}

struct PackedWeights {
  cl_int format = kInt32;
  std::vector<uint8_t> bytes;  // kPacked4, kInt8
  std::vector<int32_t> words;  // kInt32
};

// Packs a layer's codes, checking each fits its storage (and indexes the table when there is one).
PackedWeights pack_weights(const IntLayer& L) {
  PackedWeights p;
  p.format = L.w_bits <= 4 ? kPacked4 : (L.w_bits <= 8 ? kInt8 : kInt32);
  const bool table = !L.table.empty();
  const int64_t lo = table ? 0 : (p.format == kPacked4 ? -8 : -128);
  const int64_t hi =
      table ? static_cast<int64_t>(L.table.size()) - 1 : (p.format == kPacked4 ? 7 : 127);
  if (p.format == kInt32) {
    p.words = L.weights;
    if (!table) return p;
  }
  const int64_t cap = p.format == kPacked4 ? 15 : 255;  // largest table index the storage holds
  if (p.format == kPacked4) p.bytes.assign((L.weights.size() + 1) / 2, 0);
  if (p.format == kInt8) p.bytes.resize(L.weights.size());
  for (size_t i = 0; i < L.weights.size(); ++i) {
    const int32_t code = L.weights[i];
    if (code < lo || code > hi || (table && p.format != kInt32 && code > cap))
      throw std::runtime_error(
          "layer '" + L.name + "': weight code " + std::to_string(code) + " at " +
          std::to_string(i) + " does not fit w_bits " + std::to_string(L.w_bits) +
          (table ? " table indices (table of " + std::to_string(L.table.size()) + ")"
                 : " storage"));
    const auto bits = static_cast<uint8_t>(code);
    if (p.format == kPacked4)
      p.bytes[i / 2] |= static_cast<uint8_t>((bits & 0xF) << (i % 2 == 0 ? 0 : 4));
    else if (p.format == kInt8)
      p.bytes[i] = bits;
  }
  return p;
}

// A per-channel vector with c entries: size 1 applies to every channel, empty is `fill`.
template <typename T>
std::vector<T> per_channel(const std::vector<T>& v, int64_t c, T fill, const IntLayer& L,
                           const char* what) {
  if (v.empty()) return std::vector<T>(static_cast<size_t>(c), fill);
  if (v.size() == 1) return std::vector<T>(static_cast<size_t>(c), v[0]);
  if (static_cast<int64_t>(v.size()) != c)
    throw std::runtime_error("layer '" + L.name + "': " + what + " has " +
                             std::to_string(v.size()) + " entries for " + std::to_string(c) +
                             " channels");
  return v;
}

// One layer's constant data on the device. Absent vectors are one zero (OpenCL has no empty
// buffers), so every kernel argument is a valid buffer.
struct DeviceLayer {
  Mem weights;  // decoded weight values (bs_unpack_weights), int32, or pairs for a pair conv
  Mem bias, m, m2, shift, offset;
  bool pairs = false;  // a conv on 16-bit pairs (bs_stage_pairs + bs_conv_pairs)
  // Staging by the producer (plan_staging): `next` is a pair conv reading this layer (a pair
  // conv or an add) whose staged input this layer writes (-1: none); `fed` says a layer's
  // staged input is written by its producer; `read` whether anything but `next` reads the
  // output.
  int64_t next = -1;
  bool fed = false, read = true;
};

const char* kernel_name(IntOp op) {
  switch (op) {
    case IntOp::IntConv:
      return "bs_conv";
    case IntOp::IntLinear:
      return "bs_linear";
    case IntOp::IntMaxPool:
      return "bs_maxpool";
    case IntOp::IntSumPool:
      return "bs_sumpool";
    case IntOp::IntAdd:
      return "bs_add";
    case IntOp::IntInput:
      break;
  }
  return "";
}


}  // namespace

struct OpenClRuntime::Impl {
  OpenClDeviceInfo info;
  cl_device_id device = nullptr;
  bool cpu = false;  // CL_DEVICE_TYPE_CPU (work-group shapes, see enqueue)
  Context context;
  Queue queue;
  Program program;
  std::map<IntOp, Kernel> kernels;
  std::map<IntOp, std::array<size_t, 3>> work_group;  // reqd_work_group_size, {0,0,0} = free
  std::map<std::string, Kernel> decoders;  // weights.cl kernels by name, made when first used
  std::map<std::string, std::array<size_t, 3>> decoder_work_group;
  Kernel stage, conv_pairs;  // bs_stage_pairs, bs_conv_pairs (conv_pairs.cl)
  std::array<size_t, 3> stage_work_group{0, 0, 0}, conv_pairs_work_group{0, 0, 0};
  int64_t conv_tile = 7;  // BS_CONV_TILE, chosen for the model (choose_conv_tile)
  IntegerModel shapes;                                // the model without weights
  std::vector<DeviceLayer> layers;
  int64_t batch = -1;       // samples the activation buffers hold
  std::vector<Mem> values;  // each layer's output, [n][c][h][w] int32
  std::vector<Mem> staged;  // each pair conv's input as pairs (PairsShape), padding zeroed

  template <typename T>
  Mem upload(const std::vector<T>& v) {
    const std::vector<T> one(1, T{});
    const std::vector<T>& data = v.empty() ? one : v;
    cl_int status = CL_SUCCESS;
    cl_mem m = clCreateBuffer(context.get(), CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR,
                              data.size() * sizeof(T), const_cast<T*>(data.data()), &status);
    check(status, "clCreateBuffer of " + std::to_string(data.size() * sizeof(T)) + " bytes");
    return Mem(m);
  }

  void build(const std::string& source);
  void upload_layer(const IntegerModel& model, size_t i);
  void allocate(int64_t n);
  Kernel create_kernel(const char* name, std::array<size_t, 3>* work_group);
  template <typename... Layout>
  Mem decode_weights(const IntLayer& L, const char* kernel, cl_int count, const Layout&... layout);
  Mem unpack_weights(const IntLayer& L, int64_t out_pad);
  Mem unpack_conv_pairs(const IntLayer& L, int64_t in_c);
  void enqueue(cl_kernel kernel, const std::array<size_t, 3>& wg, std::array<size_t, 3> global,
               cl_uint dims, const char* name, bool row_groups = false);
  void enqueue(IntOp op, std::array<size_t, 3> global, cl_uint dims, bool row_groups = false);
  void plan_staging();
  // Where layer i writes the staged input of layers[i].next (bs_conv_pairs, bs_add arguments).
  struct StagedOutput {
    const Mem* buffer;
    cl_int pairs, hp, wp, pad;  // pairs 0: none
  };
  StagedOutput staged_output(size_t i);
  void run_layer(size_t i, int64_t n, bool every_layer);
  void run_conv_pairs(size_t i, int64_t n, bool every_layer);
  void run_all(const IntTensor& input, bool every_layer);
};

void OpenClRuntime::Impl::build(const std::string& source) {
  cl_int status = CL_SUCCESS;
  const char* text = source.c_str();
  const size_t length = source.size();
  program.reset(clCreateProgramWithSource(context.get(), 1, &text, &length, &status));
  check(status, "clCreateProgramWithSource");
  const std::string options = "-cl-std=CL1.2 -DBS_OC_VEC=" + std::to_string(kConvChannelVector) +
                              " -DBS_CONV_TILE=" + std::to_string(conv_tile);
  status = clBuildProgram(program.get(), 1, &device, options.c_str(), nullptr, nullptr);
  if (status == CL_SUCCESS) return;
  size_t size = 0;
  std::string log;
  if (clGetProgramBuildInfo(program.get(), device, CL_PROGRAM_BUILD_LOG, 0, nullptr, &size) ==
          CL_SUCCESS &&
      size > 0) {
    log.assign(size, '\0');
    clGetProgramBuildInfo(program.get(), device, CL_PROGRAM_BUILD_LOG, size, &log[0], nullptr);
    log = log.c_str();
  }
  throw std::runtime_error("OpenCL: building the kernels for " + info.name +
                           " failed: " + describe(status) + "\nbuild log:\n" + log);
}

void OpenClRuntime::Impl::upload_layer(const IntegerModel& model, size_t i) {
  const IntLayer& L = model.layers[i];
  DeviceLayer& d = layers[i];
  if (L.op == IntOp::IntInput) {
    if (i != 0) throw std::runtime_error("layer '" + L.name + "': a second input layer");
    return;
  }
  const size_t inputs = L.op == IntOp::IntAdd ? 2 : 1;
  if (L.inputs.size() != inputs)
    throw std::runtime_error("layer '" + L.name + "' (" + int_op_name(L.op) + ") has " +
                             std::to_string(L.inputs.size()) + " inputs, expected " +
                             std::to_string(inputs));
  for (int in : L.inputs)
    if (in < 0 || static_cast<size_t>(in) >= i)
      throw std::runtime_error("layer '" + L.name + "': input " + std::to_string(in) +
                               " is not an earlier layer");
  const IntLayer& src = model.layers[static_cast<size_t>(L.inputs[0])];
  const Requant& r = L.requant;
  if (L.op == IntOp::IntConv || L.op == IntOp::IntLinear) {
    const bool conv = L.op == IntOp::IntConv;
    if (conv && (L.groups < 1 || src.c % L.groups != 0 || L.c % L.groups != 0 || L.kernel < 1))
      throw std::runtime_error("layer '" + L.name + "': groups " + std::to_string(L.groups) +
                               " and kernel " + std::to_string(L.kernel) + " do not fit " +
                               std::to_string(src.c) + " -> " + std::to_string(L.c) + " channels");
    const int64_t per_out = conv ? src.c / L.groups * L.kernel * L.kernel : src.numel();
    if (static_cast<int64_t>(L.weights.size()) != L.c * per_out)
      throw std::runtime_error("layer '" + L.name + "': " + std::to_string(L.weights.size()) +
                               " weights, expected " + std::to_string(L.c * per_out));
    to_int(static_cast<int64_t>(L.weights.size()), "layer '" + L.name + "' weights");
    // Convs read their weights transposed and their bias as vectors of kConvChannelVector.
    const int64_t out_pad = conv ? conv_channels_padded(L.c) : 0;
    d.pairs = runs_on_pairs(model, i);
    d.weights = d.pairs ? unpack_conv_pairs(L, src.c) : unpack_weights(L, out_pad);
    std::vector<int32_t> bias = per_channel(L.bias, L.c, int32_t{0}, L, "bias");
    bias.resize(static_cast<size_t>(std::max(out_pad, L.c)), 0);
    d.bias = upload(bias);
  } else if (L.op == IntOp::IntAdd) {
    for (int in : L.inputs)
      if (model.layers[static_cast<size_t>(in)].numel() != L.numel())
        throw std::runtime_error("layer '" + L.name + "': adds inputs of different sizes");
  } else if (src.c != L.c) {
    throw std::runtime_error("layer '" + L.name + "': a pool of " + std::to_string(src.c) +
                             " channels gives " + std::to_string(L.c));
  }
  // A conv reads them as vectors of kConvChannelVector channels: zeros past c.
  const auto padded = static_cast<size_t>(L.op == IntOp::IntConv ? conv_channels_padded(L.c) : L.c);
  const auto vector = [&](const auto& v, auto fill, const char* what) {
    auto all = per_channel(v, L.c, fill, L, what);
    all.resize(std::max(all.size(), padded), fill);
    return upload(all);
  };
  d.m = vector(r.m, int32_t{0}, "m");
  d.m2 = vector(r.m2, int32_t{0}, "m2");
  d.shift = vector(r.shift, int32_t{0}, "shift");
  d.offset = vector(r.offset, int64_t{0}, "offset");
  if (!kernels.count(L.op)) kernels.emplace(L.op, create_kernel(kernel_name(L.op), &work_group[L.op]));
  if (d.pairs && !conv_pairs.get()) {
    stage = create_kernel("bs_stage_pairs", &stage_work_group);
    conv_pairs = create_kernel("bs_conv_pairs", &conv_pairs_work_group);
  }
}

Kernel OpenClRuntime::Impl::create_kernel(const char* name, std::array<size_t, 3>* wg) {
  cl_int status = CL_SUCCESS;
  Kernel k(clCreateKernel(program.get(), name, &status));
  check(status, std::string("clCreateKernel ") + name);
  *wg = {0, 0, 0};
  check(clGetKernelWorkGroupInfo(k.get(), device, CL_KERNEL_COMPILE_WORK_GROUP_SIZE, sizeof(*wg),
                                 wg->data(), nullptr),
        std::string("clGetKernelWorkGroupInfo ") + name);
  return k;
}

// The layer's weight codes, packed as in the bundle, decoded on the device by `kernel`
// (device/weights.cl: arguments w8, w32, table, format, has_table, values, then `layout`) into
// `count` int32 values in the layout the MACs read.
template <typename... Layout>
Mem OpenClRuntime::Impl::decode_weights(const IntLayer& L, const char* kernel, cl_int count,
                                        const Layout&... layout) {
  Kernel& k = decoders[kernel];
  if (!k.get()) k = create_kernel(kernel, &decoder_work_group[kernel]);
  const PackedWeights p = pack_weights(L);
  const Mem w8 = upload(p.bytes), w32 = upload(p.words), table = upload(L.table);
  cl_int status = CL_SUCCESS;
  Mem values(clCreateBuffer(context.get(), CL_MEM_READ_WRITE,
                            static_cast<size_t>(std::max<cl_int>(count, 1)) * sizeof(int32_t),
                            nullptr, &status));
  check(status, "clCreateBuffer for layer '" + L.name + "' weights");
  set_args(k.get(), w8, w32, table, static_cast<cl_int>(p.format),
           static_cast<cl_int>(L.table.empty() ? 0 : 1), values, layout...);
  enqueue(k.get(), decoder_work_group[kernel], {static_cast<size_t>(count), 1, 1}, 1, kernel);
  check(clFinish(queue.get()), "clFinish after decoding layer '" + L.name + "' weights");
  return values;
}

// [out][per_out] values, or transposed to [per_out][out_pad] when out_pad > 0 (bs_conv).
Mem OpenClRuntime::Impl::unpack_weights(const IntLayer& L, int64_t out_pad) {
  const int64_t per_out = L.c > 0 ? static_cast<int64_t>(L.weights.size()) / L.c : 0;
  const cl_int count =
      to_int(per_out * (out_pad > 0 ? out_pad : L.c), "layer '" + L.name + "' weights");
  return decode_weights(L, "bs_unpack_weights", count, static_cast<cl_int>(L.c),
                        static_cast<cl_int>(per_out), static_cast<cl_int>(out_pad));
}

// The weights of a pair conv as [blocks][in_c/2][k][k][16] pairs (bs_conv_pairs).
Mem OpenClRuntime::Impl::unpack_conv_pairs(const IntLayer& L, int64_t in_c) {
  const int64_t taps = L.kernel * L.kernel;
  const cl_int count = to_int(conv_channels_padded(L.c) * ((in_c + 1) / 2) * taps,
                              "layer '" + L.name + "' weight pairs");
  return decode_weights(L, "bs_unpack_conv_pairs", count, static_cast<cl_int>(L.c),
                        static_cast<cl_int>(in_c), static_cast<cl_int>(taps), count);
}

void OpenClRuntime::Impl::allocate(int64_t n) {
  if (n == batch) return;
  values.clear();
  staged.clear();
  staged.resize(shapes.layers.size());
  for (size_t i = 0; i < shapes.layers.size(); ++i) {
    if (!layers[i].pairs) continue;
    const IntLayer& L = shapes.layers[i];
    const IntLayer& src = shapes.layers[static_cast<size_t>(L.inputs[0])];
    const auto bytes = static_cast<size_t>(to_int(n * pairs_shape(L, src, conv_tile).staged(),
                                                  "layer '" + L.name + "' staged pairs")) *
                       sizeof(int32_t);
    cl_int status = CL_SUCCESS;
    staged[i].reset(clCreateBuffer(context.get(), CL_MEM_READ_WRITE, bytes, nullptr, &status));
    check(status, "clCreateBuffer for layer '" + L.name + "' staged pairs");
    const cl_int zero = 0;  // the padding a producer writing the interior relies on
    check(clEnqueueFillBuffer(queue.get(), staged[i].get(), &zero, sizeof(zero), 0, bytes, 0,
                              nullptr, nullptr),
          "clEnqueueFillBuffer of layer '" + L.name + "' staged pairs");
  }
  for (const IntLayer& L : shapes.layers) {
    const int64_t count = to_int(n * L.numel(), "layer '" + L.name + "' values in a batch");
    cl_int status = CL_SUCCESS;
    cl_mem m = clCreateBuffer(context.get(), CL_MEM_READ_WRITE,
                              static_cast<size_t>(count > 0 ? count : 1) * sizeof(int32_t), nullptr,
                              &status);
    check(status, "clCreateBuffer for layer '" + L.name + "'");
    values.emplace_back(m);
  }
  batch = n;
}

// `row_groups`: on a CPU, one work-group per index of the outer dimensions (global[0] work-items
// each). For kernels whose work-items loop over a whole plane or row: left to itself PoCL puts
// the whole range into one or a few groups, which then run on one core.
void OpenClRuntime::Impl::enqueue(cl_kernel kernel, const std::array<size_t, 3>& wg,
                                  std::array<size_t, 3> global, cl_uint dims, const char* name,
                                  bool row_groups) {
  const bool fixed = wg[0] != 0;
  // A kernel compiled with reqd_work_group_size runs in whole groups; ids beyond the layer
  // return at once.
  if (fixed)
    for (cl_uint d = 0; d < dims; ++d) global[d] = (global[d] + wg[d] - 1) / wg[d] * wg[d];
  const std::array<size_t, 3> rows{global[0], 1, 1};
  const size_t* local = fixed ? wg.data() : (row_groups && cpu ? rows.data() : nullptr);
  check(clEnqueueNDRangeKernel(queue.get(), kernel, dims, nullptr, global.data(), local, 0,
                               nullptr, nullptr),
        std::string("clEnqueueNDRangeKernel ") + name);
}

void OpenClRuntime::Impl::enqueue(IntOp op, std::array<size_t, 3> global, cl_uint dims,
                                  bool row_groups) {
  enqueue(kernels.at(op).get(), work_group[op], global, dims, kernel_name(op), row_groups);
}

// A pair conv or an add stages the input of one pair conv that reads it (the first); its own
// output stays written when anything else reads it too.
void OpenClRuntime::Impl::plan_staging() {
  std::vector<int> readers(shapes.layers.size(), 0);
  for (const IntLayer& L : shapes.layers)
    for (int in : L.inputs) ++readers[static_cast<size_t>(in)];
  for (size_t i = 0; i < shapes.layers.size(); ++i) {
    if (!layers[i].pairs) continue;
    const auto src = static_cast<size_t>(shapes.layers[i].inputs[0]);
    const bool can_stage = layers[src].pairs || shapes.layers[src].op == IntOp::IntAdd;
    if (!can_stage || layers[src].next >= 0) continue;
    layers[src].next = static_cast<int64_t>(i);
    layers[src].read = readers[src] > 1;
    layers[i].fed = true;
  }
}

OpenClRuntime::Impl::StagedOutput OpenClRuntime::Impl::staged_output(size_t i) {
  const DeviceLayer& d = layers[i];
  if (d.next < 0) return {&values[i], 0, 0, 0, 0};  // a valid buffer the kernel never writes
  const IntLayer& reader = shapes.layers[static_cast<size_t>(d.next)];
  const PairsShape ps = pairs_shape(reader, shapes.layers[i], conv_tile);
  return {&staged[static_cast<size_t>(d.next)], static_cast<cl_int>(ps.pairs),
          static_cast<cl_int>(ps.hp), static_cast<cl_int>(ps.wp),
          static_cast<cl_int>(reader.padding)};
}

void OpenClRuntime::Impl::run_layer(size_t i, int64_t n, bool every_layer) {
  const IntLayer& L = shapes.layers[i];
  const DeviceLayer& d = layers[i];
  const IntLayer& src = shapes.layers[static_cast<size_t>(L.inputs[0])];
  const Mem& x = values[static_cast<size_t>(L.inputs[0])];
  const Mem& y = values[i];
  const cl_int batch_n = static_cast<cl_int>(n), c = static_cast<cl_int>(L.c);
  const cl_int h = static_cast<cl_int>(L.h), w = static_cast<cl_int>(L.w);
  const cl_int in_h = static_cast<cl_int>(src.h), in_w = static_cast<cl_int>(src.w);
  const cl_int lo = L.requant.lo, hi = L.requant.hi, requantized = L.requant.requantized ? 1 : 0;
  const auto nc = static_cast<size_t>(n * L.c);
  cl_kernel k = kernels.at(L.op).get();
  switch (L.op) {
    case IntOp::IntConv:
      if (d.pairs) {
        run_conv_pairs(i, n, every_layer);
        break;
      }
      set_args(k, x, y, d.weights, d.bias, d.m, d.shift, d.offset, requantized, lo, hi,
               static_cast<cl_int>(src.c), in_h, in_w, c, h, w, static_cast<cl_int>(L.kernel),
               static_cast<cl_int>(L.stride), static_cast<cl_int>(L.padding),
               static_cast<cl_int>(L.groups), batch_n);
      enqueue(L.op, {size_t(L.w), size_t(L.h), size_t(n * conv_channels_padded(L.c) / kConvChannelVector)}, 3);
      break;
    case IntOp::IntLinear:
      set_args(k, x, y, d.weights, d.bias, d.m, d.shift, d.offset, requantized, lo, hi,
               static_cast<cl_int>(src.numel()), c, batch_n);
      enqueue(L.op, {size_t(L.c), size_t(n), 1}, 2);
      break;
    case IntOp::IntMaxPool:
    case IntOp::IntSumPool: {
      const bool global = L.kernel == 0;  // the whole map, output C×1×1
      set_args(k, x, y, c, in_h, in_w, h, w, global ? in_h : static_cast<cl_int>(L.kernel),
               global ? in_w : static_cast<cl_int>(L.kernel),
               global ? 1 : static_cast<cl_int>(L.stride),
               global ? 0 : static_cast<cl_int>(L.padding), batch_n);
      enqueue(L.op, {size_t(L.w), size_t(L.h), nc}, 3);
      break;
    }
    case IntOp::IntAdd: {
      const StagedOutput next = staged_output(i);
      set_args(k, x, values[static_cast<size_t>(L.inputs[1])], y, d.m, d.m2, d.shift, d.offset, lo,
               hi, c, h, w, batch_n, *next.buffer, next.pairs, next.hp, next.wp, next.pad);
      enqueue(L.op, {size_t((L.c + 1) / 2), size_t(n), 1}, 2, true);
      break;
    }
    case IntOp::IntInput:
      break;
  }
}

void OpenClRuntime::Impl::run_conv_pairs(size_t i, int64_t n, bool every_layer) {
  const IntLayer& L = shapes.layers[i];
  const DeviceLayer& d = layers[i];
  const IntLayer& src = shapes.layers[static_cast<size_t>(L.inputs[0])];
  const PairsShape ps = pairs_shape(L, src, conv_tile);
  const auto pairs = static_cast<cl_int>(ps.pairs), hp = static_cast<cl_int>(ps.hp),
             wp = static_cast<cl_int>(ps.wp), batch_n = static_cast<cl_int>(n);
  if (!d.fed) {
    set_args(stage.get(), values[static_cast<size_t>(L.inputs[0])], staged[i],
             static_cast<cl_int>(src.c), static_cast<cl_int>(src.h), static_cast<cl_int>(src.w),
             pairs, hp, wp, static_cast<cl_int>(L.padding), batch_n);
    enqueue(stage.get(), stage_work_group, {size_t(ps.hp), size_t(n * ps.pairs), 1}, 2,
            "bs_stage_pairs", true);
  }
  const StagedOutput next = staged_output(i);
  set_args(conv_pairs.get(), staged[i], values[i], d.weights, d.bias, d.m, d.shift, d.offset,
           L.requant.requantized ? 1 : 0, L.requant.lo, L.requant.hi, pairs, hp, wp,
           static_cast<cl_int>(L.c), static_cast<cl_int>(L.h), static_cast<cl_int>(L.w),
           static_cast<cl_int>(L.kernel), static_cast<cl_int>(L.stride), batch_n,
           every_layer || d.read ? 1 : 0, *next.buffer, next.pairs, next.hp, next.wp, next.pad);
  enqueue(conv_pairs.get(), conv_pairs_work_group,
          {size_t(ps.tiles), size_t(L.h), size_t(n * ps.blocks)}, 3, "bs_conv_pairs");
}

std::vector<OpenClDeviceInfo> list_opencl_devices() {
  std::vector<OpenClDeviceInfo> infos;
  for (const FoundDevice& d : find_devices()) infos.push_back(d.info);
  return infos;
}

OpenClRuntime::OpenClRuntime(const IntegerModel& model, const std::string& kernel_source,
                             int device)
    : impl_(new Impl) {
  const std::vector<FoundDevice> devices = find_devices();
  if (device < 0 || static_cast<size_t>(device) >= devices.size())
    throw std::runtime_error("OpenCL device " + std::to_string(device) + " does not exist (" +
                             std::to_string(devices.size()) + " found)");
  if (model.layers.empty() || model.layers[0].op != IntOp::IntInput)
    throw std::runtime_error("integer model '" + model.name + "' does not start with an input");
  Impl& im = *impl_;
  const FoundDevice& found = devices[static_cast<size_t>(device)];
  im.info = found.info;
  im.device = found.id;
  cl_device_type type = 0;
  check(clGetDeviceInfo(im.device, CL_DEVICE_TYPE, sizeof(type), &type, nullptr),
        "clGetDeviceInfo CL_DEVICE_TYPE");
  im.cpu = (type & CL_DEVICE_TYPE_CPU) != 0;
  cl_int status = CL_SUCCESS;
  const cl_context_properties props[] = {
      CL_CONTEXT_PLATFORM, reinterpret_cast<cl_context_properties>(found.platform), 0};
  im.context.reset(clCreateContext(props, 1, &im.device, nullptr, nullptr, &status));
  check(status, "clCreateContext for " + im.info.name);
  im.queue.reset(clCreateCommandQueue(im.context.get(), im.device, 0, &status));
  check(status, "clCreateCommandQueue for " + im.info.name);
  im.conv_tile = choose_conv_tile(model);
  im.build(kernel_source);
  im.layers.resize(model.layers.size());
  for (size_t i = 0; i < model.layers.size(); ++i) {
    im.upload_layer(model, i);
    IntLayer shape = model.layers[i];
    shape.weights.clear();
    shape.table.clear();
    im.shapes.layers.push_back(std::move(shape));
  }
  im.plan_staging();
}

OpenClRuntime::~OpenClRuntime() {
  if (impl_ && impl_->queue.get()) clFinish(impl_->queue.get());
}

const OpenClDeviceInfo& OpenClRuntime::device() const { return impl_->info; }

// Checks the batch, writes it to the device and enqueues every layer (nothing is read back;
// an empty batch only is checked).
void OpenClRuntime::Impl::run_all(const IntTensor& input, bool every_layer) {
  const IntLayer& in = shapes.layers[0];
  if (input.n < 0 || static_cast<int64_t>(input.values.size()) != input.n * in.numel())
    throw std::runtime_error("input batch of " + std::to_string(input.values.size()) +
                             " values is not " + std::to_string(input.n) + " samples of " +
                             std::to_string(in.c) + "x" + std::to_string(in.h) + "x" +
                             std::to_string(in.w));
  // As the reference executor: pair convs rely on the input's declared range.
  for (size_t j = 0; j < input.values.size(); ++j) {
    const int32_t v = input.values[j];
    if (v < in.min_value || v > in.max_value)
      throw std::runtime_error("input value " + std::to_string(v) + " at index " +
                               std::to_string(j) + " is outside input layer '" + in.name +
                               "' range [" + std::to_string(in.min_value) + ", " +
                               std::to_string(in.max_value) + "]");
  }
  if (input.n == 0) return;
  allocate(input.n);
  check(clEnqueueWriteBuffer(queue.get(), values[0].get(), CL_FALSE, 0,
                             input.values.size() * sizeof(int32_t), input.values.data(), 0,
                             nullptr, nullptr),
        "clEnqueueWriteBuffer of the input");
  for (size_t i = 1; i < shapes.layers.size(); ++i)
    if (shapes.layers[i].numel() > 0) run_layer(i, input.n, every_layer);
}

std::vector<IntTensor> OpenClRuntime::run(const IntTensor& input) {
  Impl& im = *impl_;
  std::vector<IntTensor> out(im.shapes.layers.size());
  for (size_t i = 1; i < out.size(); ++i) {
    out[i].n = input.n;
    out[i].values.assign(static_cast<size_t>(input.n * im.shapes.layers[i].numel()), 0);
  }
  try {
    im.run_all(input, true);
    for (size_t i = 1; i < out.size(); ++i) {
      if (out[i].values.empty()) continue;
      check(clEnqueueReadBuffer(im.queue.get(), im.values[i].get(), CL_FALSE, 0,
                                out[i].values.size() * sizeof(int32_t), out[i].values.data(), 0,
                                nullptr, nullptr),
            "clEnqueueReadBuffer of layer '" + im.shapes.layers[i].name + "'");
    }
    check(clFinish(im.queue.get()), "clFinish");
  } catch (...) {
    clFinish(im.queue.get());  // no transfer may still target `input` or `out`
    throw;
  }
  out[0] = input;
  return out;
}

IntTensor OpenClRuntime::infer(const IntTensor& input) {
  Impl& im = *impl_;
  const size_t last = im.shapes.layers.size() - 1;
  IntTensor out{input.n, std::vector<int32_t>(
                             static_cast<size_t>(input.n * im.shapes.layers[last].numel()), 0)};
  try {
    im.run_all(input, false);
    if (last == 0) return input;
    if (out.values.empty()) return out;
    check(clEnqueueReadBuffer(im.queue.get(), im.values[last].get(), CL_FALSE, 0,
                              out.values.size() * sizeof(int32_t), out.values.data(), 0, nullptr,
                              nullptr),
          "clEnqueueReadBuffer of layer '" + im.shapes.layers[last].name + "'");
    check(clFinish(im.queue.get()), "clFinish");
  } catch (...) {
    clFinish(im.queue.get());
    throw;
  }
  return out;
}

}  // namespace bitshift
