// The registry: op_list.h's kinds mapped to their definitions in ops/.
#include "graph/op.h"

namespace bitshift {

#define BITSHIFT_OP(kind, name) const Op& op_##name();
#include "graph/op_list.h"
#undef BITSHIFT_OP

const Op& op_of(OpKind kind) {
  switch (kind) {
#define BITSHIFT_OP(kind, name) \
  case OpKind::kind:            \
    return op_##name();
#include "graph/op_list.h"
#undef BITSHIFT_OP
  }
  return op_input();  // unreachable: every enum value has a case
}

const std::vector<OpKind>& all_op_kinds() {
  static const std::vector<OpKind> kinds = {
#define BITSHIFT_OP(kind, name) OpKind::kind,
#include "graph/op_list.h"
#undef BITSHIFT_OP
  };
  return kinds;
}

}  // namespace bitshift
