#include "opencl_runtime.h"

#include "conv_pairs.h"
#include "device_context.h"
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

struct OpenClRuntime::Impl : DeviceContext {
  void build(const std::string& source);
  void allocate(int64_t n);
  void plan_staging();
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
    // Zeros: the padding a producer writing the interior relies on (copied from the host rather
    // than clEnqueueFillBuffer, which oclgrind 21.10 leaves unwritten).
    std::vector<cl_int> zeros(bytes / sizeof(cl_int), 0);
    staged[i].reset(clCreateBuffer(context.get(), CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, bytes,
                                   zeros.data(), &status));
    check(status, "clCreateBuffer for layer '" + L.name + "' staged pairs");
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
  // The pair conv path relies on value ranges: prove them here rather than trust the fields.
  IntegerModel proven = model;
  for (size_t i = 0; i < proven.layers.size(); ++i) {
    IntLayer& L = proven.layers[i];
    try {
      check_int_layer(proven, i);  // what the kernels index by comes from the layer's fields
      if (i > 0) int_op_def(L.op).bound(L, int_inputs(proven, L));  // as its readers check
    } catch (const std::runtime_error& e) {
      throw std::runtime_error("layer '" + L.name + "' (" + int_op_name(L.op) + "): " + e.what());
    }
  }
  im.conv_tile = choose_conv_tile(proven);
  im.build(kernel_source);
  im.layers.resize(model.layers.size());
  for (size_t i = 0; i < proven.layers.size(); ++i) {
    device_op(proven.layers[i].op).upload(im, proven, i);
    IntLayer shape = proven.layers[i];
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
    if (shapes.layers[i].numel() > 0) device_op(shapes.layers[i].op).launch(*this, i, input.n, every_layer);
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
