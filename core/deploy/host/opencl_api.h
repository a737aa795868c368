#pragma once
// A thin C++ layer over the OpenCL C API for the runtime (opencl_runtime.cpp): errors as
// exceptions with the error's name, RAII handles, typed kernel arguments and device discovery.
// C++17 standard library and the OpenCL C API only: export bundles ship it.
#ifndef CL_TARGET_OPENCL_VERSION
#define CL_TARGET_OPENCL_VERSION 120
#endif
#include <CL/cl.h>

#include <string>
#include <utility>
#include <vector>

#include "opencl_runtime.h"

namespace bitshift {

// "CL_INVALID_VALUE (-30)".
std::string describe(cl_int code);

// Throws std::runtime_error "OpenCL: <what>: <error name> (<code>)" unless status is CL_SUCCESS.
void check(cl_int status, const std::string& what);

// Owns one OpenCL object and releases it when it goes (RAII); movable, not copyable.
template <typename T, cl_int(CL_API_CALL* Release)(T)>
class Handle {
 public:
  Handle() = default;
  explicit Handle(T h) : h_(h) {}
  Handle(Handle&& o) noexcept : h_(std::exchange(o.h_, nullptr)) {}
  Handle& operator=(Handle&& o) noexcept {
    if (this != &o) reset(std::exchange(o.h_, nullptr));
    return *this;
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  ~Handle() { reset(nullptr); }
  T get() const { return h_; }
  void reset(T h) {
    if (h_) Release(h_);
    h_ = h;
  }

 private:
  T h_ = nullptr;
};
using Context = Handle<cl_context, clReleaseContext>;
using Queue = Handle<cl_command_queue, clReleaseCommandQueue>;
using Program = Handle<cl_program, clReleaseProgram>;
using Kernel = Handle<cl_kernel, clReleaseKernel>;
using Mem = Handle<cl_mem, clReleaseMemObject>;

// Kernel arguments are set by exact type: an int64_t passed by mistake does not compile.
void set_arg(cl_kernel k, cl_uint i, const Mem& m);
void set_arg(cl_kernel k, cl_uint i, cl_int v);
template <typename T>
void set_arg(cl_kernel, cl_uint, T) = delete;

template <typename... Args>
void set_args(cl_kernel k, const Args&... args) {
  cl_uint i = 0;
  (set_arg(k, i++, args), ...);
}

struct FoundDevice {
  cl_platform_id platform = nullptr;
  cl_device_id id = nullptr;
  OpenClDeviceInfo info;
};

// Every device of every platform; no platform or no ICD loader's driver is no device.
std::vector<FoundDevice> find_devices();

}  // namespace bitshift
