#include "opencl_api.h"

#include <stdexcept>

namespace bitshift {

namespace {

struct ErrorName {
  cl_int code;
  const char* name;
};
// clang-format off
#define BS_ERROR(code) ErrorName{code, #code}
const ErrorName kErrorNames[] = {
    BS_ERROR(CL_DEVICE_NOT_FOUND), BS_ERROR(CL_DEVICE_NOT_AVAILABLE),
    BS_ERROR(CL_COMPILER_NOT_AVAILABLE), BS_ERROR(CL_MEM_OBJECT_ALLOCATION_FAILURE),
    BS_ERROR(CL_OUT_OF_RESOURCES), BS_ERROR(CL_OUT_OF_HOST_MEMORY),
    BS_ERROR(CL_PROFILING_INFO_NOT_AVAILABLE), BS_ERROR(CL_MEM_COPY_OVERLAP),
    BS_ERROR(CL_IMAGE_FORMAT_MISMATCH), BS_ERROR(CL_IMAGE_FORMAT_NOT_SUPPORTED),
    BS_ERROR(CL_BUILD_PROGRAM_FAILURE), BS_ERROR(CL_MAP_FAILURE),
    BS_ERROR(CL_MISALIGNED_SUB_BUFFER_OFFSET),
    BS_ERROR(CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST), BS_ERROR(CL_COMPILE_PROGRAM_FAILURE),
    BS_ERROR(CL_LINKER_NOT_AVAILABLE), BS_ERROR(CL_LINK_PROGRAM_FAILURE),
    BS_ERROR(CL_DEVICE_PARTITION_FAILED), BS_ERROR(CL_KERNEL_ARG_INFO_NOT_AVAILABLE),
    BS_ERROR(CL_INVALID_VALUE), BS_ERROR(CL_INVALID_DEVICE_TYPE), BS_ERROR(CL_INVALID_PLATFORM),
    BS_ERROR(CL_INVALID_DEVICE), BS_ERROR(CL_INVALID_CONTEXT),
    BS_ERROR(CL_INVALID_QUEUE_PROPERTIES), BS_ERROR(CL_INVALID_COMMAND_QUEUE),
    BS_ERROR(CL_INVALID_HOST_PTR), BS_ERROR(CL_INVALID_MEM_OBJECT),
    BS_ERROR(CL_INVALID_IMAGE_FORMAT_DESCRIPTOR), BS_ERROR(CL_INVALID_IMAGE_SIZE),
    BS_ERROR(CL_INVALID_SAMPLER), BS_ERROR(CL_INVALID_BINARY), BS_ERROR(CL_INVALID_BUILD_OPTIONS),
    BS_ERROR(CL_INVALID_PROGRAM), BS_ERROR(CL_INVALID_PROGRAM_EXECUTABLE),
    BS_ERROR(CL_INVALID_KERNEL_NAME), BS_ERROR(CL_INVALID_KERNEL_DEFINITION),
    BS_ERROR(CL_INVALID_KERNEL), BS_ERROR(CL_INVALID_ARG_INDEX), BS_ERROR(CL_INVALID_ARG_VALUE),
    BS_ERROR(CL_INVALID_ARG_SIZE), BS_ERROR(CL_INVALID_KERNEL_ARGS),
    BS_ERROR(CL_INVALID_WORK_DIMENSION), BS_ERROR(CL_INVALID_WORK_GROUP_SIZE),
    BS_ERROR(CL_INVALID_WORK_ITEM_SIZE), BS_ERROR(CL_INVALID_GLOBAL_OFFSET),
    BS_ERROR(CL_INVALID_EVENT_WAIT_LIST), BS_ERROR(CL_INVALID_EVENT),
    BS_ERROR(CL_INVALID_OPERATION), BS_ERROR(CL_INVALID_GL_OBJECT),
    BS_ERROR(CL_INVALID_BUFFER_SIZE), BS_ERROR(CL_INVALID_MIP_LEVEL),
    BS_ERROR(CL_INVALID_GLOBAL_WORK_SIZE), BS_ERROR(CL_INVALID_PROPERTY),
    BS_ERROR(CL_INVALID_IMAGE_DESCRIPTOR), BS_ERROR(CL_INVALID_COMPILER_OPTIONS),
    BS_ERROR(CL_INVALID_LINKER_OPTIONS), BS_ERROR(CL_INVALID_DEVICE_PARTITION_COUNT),
    ErrorName{-1001, "CL_PLATFORM_NOT_FOUND_KHR"},  // no ICD driver (cl_khr_icd)
};
// clang-format on
#undef BS_ERROR

const char* cl_error_name(cl_int code) {
  for (const ErrorName& e : kErrorNames)
    if (e.code == code) return e.name;
  return "unknown OpenCL error";
}

std::string platform_string(cl_platform_id p, cl_platform_info what) {
  size_t size = 0;
  if (clGetPlatformInfo(p, what, 0, nullptr, &size) != CL_SUCCESS || size == 0) return "";
  std::string s(size, '\0');
  if (clGetPlatformInfo(p, what, size, &s[0], nullptr) != CL_SUCCESS) return "";
  return s.c_str();  // drops the terminating NUL
}

std::string device_string(cl_device_id d, cl_device_info what) {
  size_t size = 0;
  if (clGetDeviceInfo(d, what, 0, nullptr, &size) != CL_SUCCESS || size == 0) return "";
  std::string s(size, '\0');
  if (clGetDeviceInfo(d, what, size, &s[0], nullptr) != CL_SUCCESS) return "";
  return s.c_str();
}

}  // namespace

std::string describe(cl_int code) {
  return std::string(cl_error_name(code)) + " (" + std::to_string(code) + ")";
}

void check(cl_int status, const std::string& what) {
  if (status != CL_SUCCESS) throw std::runtime_error("OpenCL: " + what + ": " + describe(status));
}

void set_arg(cl_kernel k, cl_uint i, const Mem& m) {
  const cl_mem mem = m.get();
  check(clSetKernelArg(k, i, sizeof(cl_mem), &mem), "clSetKernelArg " + std::to_string(i));
}

void set_arg(cl_kernel k, cl_uint i, cl_int v) {
  check(clSetKernelArg(k, i, sizeof(cl_int), &v), "clSetKernelArg " + std::to_string(i));
}

std::vector<FoundDevice> find_devices() {
  std::vector<FoundDevice> found;
  cl_uint platforms = 0;
  if (clGetPlatformIDs(0, nullptr, &platforms) != CL_SUCCESS || platforms == 0) return found;
  std::vector<cl_platform_id> ps(platforms);
  if (clGetPlatformIDs(platforms, ps.data(), nullptr) != CL_SUCCESS) return found;
  for (cl_platform_id p : ps) {
    cl_uint count = 0;
    if (clGetDeviceIDs(p, CL_DEVICE_TYPE_ALL, 0, nullptr, &count) != CL_SUCCESS) continue;
    std::vector<cl_device_id> ds(count);
    if (count == 0 ||
        clGetDeviceIDs(p, CL_DEVICE_TYPE_ALL, count, ds.data(), nullptr) != CL_SUCCESS)
      continue;
    for (cl_device_id d : ds)
      found.push_back({p,
                       d,
                       {platform_string(p, CL_PLATFORM_NAME), device_string(d, CL_DEVICE_NAME),
                        device_string(d, CL_DEVICE_VERSION)}});
  }
  return found;
}

}  // namespace bitshift
