#include "graph/ops/window.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>

#include "util/error.h"

namespace bitshift {

using nlohmann::json;

namespace {
constexpr int64_t kMaxWindow = 1 << 12;  // kernels, strides, pads and dilations beyond are refused

std::array<int64_t, 2> pair_of(const json& j, const char* key, int64_t fallback) {
  if (!j.contains(key)) return {fallback, fallback};
  const json& v = j.at(key);
  if (v.is_array()) return {v.at(0).get<int64_t>(), v.at(1).get<int64_t>()};
  return {v.get<int64_t>(), v.get<int64_t>()};
}
}  // namespace

int64_t window_output(int64_t size, int64_t kernel, int64_t stride, int64_t pad_begin,
                      int64_t pad_end, int64_t dilation, bool ceil_mode) {
  const int64_t span = size + pad_begin + pad_end - dilation * (kernel - 1) - 1;
  if (span < 0) return 0;
  int64_t out = (ceil_mode ? (span + stride - 1) / stride : span / stride) + 1;
  if (ceil_mode && (out - 1) * stride >= size + pad_begin) --out;
  return out;
}

Shape window_shape(const Window& w, const Shape& in, int64_t channels, const std::string& where) {
  require(!in.flat, where + ": needs a CxHxW input, got a flat vector of " + in.str());
  for (int64_t v : {w.kh, w.kw, w.sh, w.sw, w.dh, w.dw})
    require(v >= 1 && v <= kMaxWindow, where + ": kernel, stride and dilation must be in [1, " +
                                           std::to_string(kMaxWindow) + "], got " +
                                           std::to_string(v));
  for (int64_t v : {w.pad_top, w.pad_left, w.pad_bottom, w.pad_right})
    require(v >= 0 && v <= kMaxWindow, where + ": pads must be in [0, " +
                                           std::to_string(kMaxWindow) + "], got " +
                                           std::to_string(v));
  require(!w.ceil_mode || w.symmetric_pads(),
          where + ": ceil_mode with pads that differ between the two sides is not supported");
  const Shape out{
      channels, window_output(in.h, w.kh, w.sh, w.pad_top, w.pad_bottom, w.dh, w.ceil_mode),
      window_output(in.w, w.kw, w.sw, w.pad_left, w.pad_right, w.dw, w.ceil_mode), false};
  require(out.h >= 1 && out.w >= 1, where + ": a " + std::to_string(w.kh) + "x" +
                                        std::to_string(w.kw) + " window does not fit input " +
                                        in.str());
  return out;
}

Shape pool_shape(const Window& w, const Shape& in, const std::string& where) {
  require(std::min(w.pad_top, w.pad_bottom) <= w.kh / 2 &&
              std::min(w.pad_left, w.pad_right) <= w.kw / 2,
          where + ": pads must be at most half the window");
  const int64_t eh = w.dh * (w.kh - 1) + 1, ew = w.dw * (w.kw - 1) + 1;
  require(w.pad_top < eh && w.pad_bottom < eh && w.pad_left < ew && w.pad_right < ew,
          where + ": pads (" + std::to_string(w.pad_top) + ", " + std::to_string(w.pad_left) +
              ", " + std::to_string(w.pad_bottom) + ", " + std::to_string(w.pad_right) +
              ") must each be smaller than the " + std::to_string(eh) + "x" + std::to_string(ew) +
              " window, or a window would see only padding");
  return window_shape(w, in, in.c, where);
}

bool average_divides_unevenly(const Window& w, const Shape& in) {
  const bool padded = w.pad_top || w.pad_left || w.pad_bottom || w.pad_right;
  if (padded && !w.count_include_pad) return true;
  if (!w.ceil_mode) return false;
  return window_output(in.h, w.kh, w.sh, w.pad_top, w.pad_bottom, w.dh, true) !=
             window_output(in.h, w.kh, w.sh, w.pad_top, w.pad_bottom, w.dh, false) ||
         window_output(in.w, w.kw, w.sw, w.pad_left, w.pad_right, w.dw, true) !=
             window_output(in.w, w.kw, w.sw, w.pad_left, w.pad_right, w.dw, false);
}

void write_window(const Window& w, json& j) {
  if (w.kh == w.kw && w.sh == w.sw && w.dh == 1 && w.dw == 1 && w.pad_top == w.pad_left &&
      w.pad_top == w.pad_bottom && w.pad_top == w.pad_right) {
    j["kernel"] = w.kh;
    j["stride"] = w.sh;
    j["padding"] = w.pad_top;
  } else {
    j["kernel"] = {w.kh, w.kw};
    j["stride"] = {w.sh, w.sw};
    j["pads"] = {w.pad_top, w.pad_left, w.pad_bottom, w.pad_right};
    j["dilation"] = {w.dh, w.dw};
  }
  if (w.ceil_mode) j["ceil_mode"] = true;
  if (!w.count_include_pad) j["count_include_pad"] = false;
}

Window read_window(const json& j, const std::string& where) {
  Window w;
  const auto k = pair_of(j, "kernel", 1), s = pair_of(j, "stride", 1),
             d = pair_of(j, "dilation", 1);
  w.kh = k[0], w.kw = k[1], w.sh = s[0], w.sw = s[1], w.dh = d[0], w.dw = d[1];
  if (j.contains("pads")) {
    const json& p = j.at("pads");
    require(p.is_array() && p.size() == 4, where + ": \"pads\" must be [top, left, bottom, right]");
    w.pad_top = p[0], w.pad_left = p[1], w.pad_bottom = p[2], w.pad_right = p[3];
  } else {
    const int64_t p = j.value("padding", int64_t{0});
    w.pad_top = w.pad_left = w.pad_bottom = w.pad_right = p;
  }
  w.ceil_mode = j.value("ceil_mode", false);
  w.count_include_pad = j.value("count_include_pad", true);
  return w;
}

torch::Tensor pad_asymmetric(const torch::Tensor& x, Window& w, double value) {
  if (w.symmetric_pads()) return x;
  const int64_t ph = std::min(w.pad_top, w.pad_bottom), pw = std::min(w.pad_left, w.pad_right);
  // constant_pad_nd takes (left, right, top, bottom) for the last two axes.
  auto y = torch::constant_pad_nd(
      x, {w.pad_left - pw, w.pad_right - pw, w.pad_top - ph, w.pad_bottom - ph}, value);
  w.pad_top = w.pad_bottom = ph;
  w.pad_left = w.pad_right = pw;
  return y;
}

std::vector<OnnxAttr> onnx_window_attrs(const Window& w, WindowUse use) {
  std::vector<OnnxAttr> a = {
      OnnxAttr::of("kernel_shape", std::vector<int64_t>{w.kh, w.kw}),
      OnnxAttr::of("strides", std::vector<int64_t>{w.sh, w.sw}),
      OnnxAttr::of("pads", std::vector<int64_t>{w.pad_top, w.pad_left, w.pad_bottom, w.pad_right})};
  if (use != WindowUse::AveragePool)  // AveragePool has dilations only from opset 19
    a.push_back(OnnxAttr::of("dilations", std::vector<int64_t>{w.dh, w.dw}));
  if (use != WindowUse::Conv) a.push_back(OnnxAttr::of("ceil_mode", int64_t{w.ceil_mode}));
  if (use == WindowUse::AveragePool)
    a.push_back(OnnxAttr::of("count_include_pad", int64_t{w.count_include_pad}));
  return a;
}

}  // namespace bitshift
