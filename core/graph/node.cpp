#include "graph/node.h"

#include "graph/op.h"
#include "util/error.h"

namespace bitshift {

const char* op_name(OpKind kind) { return op_of(kind).name(); }

OpKind op_from_name(const std::string& name) {
  std::string known;
  for (OpKind k : all_op_kinds()) {
    if (name == op_name(k)) return k;
    known += std::string(known.empty() ? "" : ", ") + op_name(k);
  }
  throw Error("unknown op '" + name + "' (expected one of: " + known + ")");
}

bool Node::has_weights() const { return op_of(kind).has_weights(); }

Window Window::square(int64_t k, int64_t s, int64_t p) {
  Window w;
  w.kh = w.kw = k;
  w.sh = w.sw = s;
  w.pad_top = w.pad_left = w.pad_bottom = w.pad_right = p;
  return w;
}

bool Window::operator==(const Window& o) const {
  return kh == o.kh && kw == o.kw && sh == o.sh && sw == o.sw && pad_top == o.pad_top &&
         pad_left == o.pad_left && pad_bottom == o.pad_bottom && pad_right == o.pad_right &&
         dh == o.dh && dw == o.dw && ceil_mode == o.ceil_mode &&
         count_include_pad == o.count_include_pad;
}

}  // namespace bitshift
