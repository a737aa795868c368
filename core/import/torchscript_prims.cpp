// TorchScript import: the nodes that hold the model together rather than compute from the
// image: constants, module attributes, branches on constants, lists and tuples, and the shape
// queries of computed tensors (the batch size stays unknown: kBatchDim).
#include "import/torchscript_convert.h"

namespace bitshift::torchscript {

namespace {

namespace aten = c10::aten;
namespace attr = c10::attr;
namespace prim = c10::prim;

TsValue list_of(std::vector<TsValue> items) {
  TsValue t;
  t.kind = TsValue::Kind::List;
  t.items = std::move(items);
  return t;
}

// The elements of a list or tuple, constant or not.
std::vector<TsValue> items_of(const TsValue& t) {
  if (!t.is_const()) return t.items;
  std::vector<TsValue> items;
  if (t.constant.isList()) {
    for (const auto& e : t.constant.toListRef()) items.push_back(TsValue::of_const(e));
  } else if (t.constant.isTuple()) {
    for (const auto& e : t.constant.toTupleRef().elements()) items.push_back(TsValue::of_const(e));
  } else {
    throw Unsupported{"expected a list or tuple"};
  }
  return items;
}

// prim::GetAttr of a module: the attribute, named by its path from the model.
void get_attr(Converter& c, const JitNode* n) {
  const TsValue& obj = c.in(n, 0);
  if (!obj.is_const() || !obj.constant.isObject()) throw Unsupported{"not a module's attribute"};
  const std::string& name = n->s(attr::name);
  c.set(n->output(), TsValue::of_const(obj.constant.toObjectRef().getAttr(name),
                                       obj.path.empty() ? name : obj.path + "." + name));
}

// prim::ListConstruct / TupleConstruct: a constant when every element is one, else a List.
void construct(Converter& c, const JitNode* n) {
  std::vector<TsValue> items;
  bool all_const = true;
  for (size_t k = 0; k < n->inputs().size(); ++k) {
    if (!c.in(n, k).is_const()) c.node_of(n, k);  // emits a pending linear
    items.push_back(c.in(n, k));
    all_const &= items.back().is_const();
  }
  if (!all_const) return c.set(n->output(), list_of(std::move(items)));
  if (n->kind() == prim::TupleConstruct) {
    std::vector<c10::IValue> elems;
    for (const auto& t : items) elems.push_back(t.constant);
    return c.set(n->output(), TsValue::of_const(c10::ivalue::Tuple::create(std::move(elems))));
  }
  c10::impl::GenericList elems(n->output()->type()->expectRef<c10::ListType>().getElementType());
  for (const auto& t : items) elems.push_back(t.constant);
  c.set(n->output(), TsValue::of_const(c10::IValue(elems)));
}

void unpack(Converter& c, const JitNode* n) {
  const auto items = items_of(c.in(n, 0));
  if (items.size() != n->outputs().size()) throw Unsupported{"unpacks the wrong number of values"};
  for (size_t k = 0; k < items.size(); ++k) c.set(n->output(k), items[k]);
}

void index(Converter& c, const JitNode* n) {  // list[k], tuple[k]
  const auto& items = c.in(n, 0).items;
  int64_t k = c.int_arg(n, 1, "index");
  if (k < 0) k += static_cast<int64_t>(items.size());
  if (k < 0 || k >= static_cast<int64_t>(items.size())) throw Unsupported{"index out of range"};
  c.set(n->output(), items[k]);
}

void append(Converter& c, const JitNode* n) {
  if (!c.in(n, 1).is_const()) c.node_of(n, 1);
  std::vector<TsValue> items = items_of(c.in(n, 0));
  items.push_back(c.in(n, 1));
  c.set(n->input(0), list_of(items));  // append changes the list in place
  c.set(n->output(), list_of(items));
}

// aten::size(x[, dim]) and aten::dim(x) of a computed tensor.
void shape_query(Converter& c, const JitNode* n) {
  const TsValue& x = c.in(n, 0);
  const Shape s = c.shape_of(x.shuffle_groups ? x.node : c.node_of(n, 0));
  std::vector<int64_t> dims = s.flat ? std::vector<int64_t>{kBatchDim, s.c}
                                     : std::vector<int64_t>{kBatchDim, s.c, s.h, s.w};
  if (const int64_t g = x.shuffle_groups) {  // viewed as 5-D on the way to a channel shuffle
    dims = x.shuffle_transposed ? std::vector<int64_t>{kBatchDim, s.c / g, g, s.h, s.w}
                                : std::vector<int64_t>{kBatchDim, g, s.c / g, s.h, s.w};
  }
  const auto rank = static_cast<int64_t>(dims.size());
  if (n->kind() == aten::dim) return c.set(n->output(), TsValue::of_const(rank));
  if (n->inputs().size() == 1)
    return c.set(n->output(), TsValue::of_const(c10::IValue(c10::List<int64_t>(dims))));
  const int64_t d = normalized_dim(c.int_arg(n, 1, "dim"), rank);
  if (d < 0 || d >= rank) throw Unsupported{"dimension out of range"};
  c.set(n->output(), TsValue::of_const(dims[d]));
}

std::string raised_message(const TsValue& msg) {
  return msg.is_const() && msg.constant.isString() ? ": " + msg.constant.toStringRef() : "";
}

}  // namespace

// prim:: nodes, containers and shape queries; false when `n` is none of these.
bool Converter::convert_structural(const JitNode* n) {
  const c10::Symbol kind = n->kind();
  const bool on_list = !n->inputs().empty() && in(n, 0).kind == TsValue::Kind::List;
  const bool on_tensor = !n->inputs().empty() && in(n, 0).kind == TsValue::Kind::Node;
  try {
    if (kind == prim::Constant) {
      const auto v = torch::jit::toIValue(n->output());
      set(n->output(), TsValue::of_const(v ? *v : c10::IValue()));
    } else if (kind == prim::GetAttr) {
      get_attr(*this, n);
    } else if (kind == prim::If) {
      const TsValue& cond = in(n, 0);
      if (!cond.is_const() || !cond.constant.isBool())
        throw Unsupported{"a branch on a value computed from the image"};
      const torch::jit::Block* taken = n->blocks()[cond.constant.toBool() ? 0 : 1];
      run_block(taken);
      for (size_t k = 0; k < n->outputs().size(); ++k)
        set(n->output(k), value(taken->outputs()[k]));
    } else if (kind == prim::Loop) {
      throw Unsupported{"loops are not supported"};
    } else if (kind == prim::RaiseException) {
      throw Unsupported{"the model raises an exception here" + raised_message(in(n, 0))};
    } else if (kind == prim::Uninitialized) {
      set(n->output(), TsValue::of_const(c10::IValue()));
    } else if (kind == prim::unchecked_cast) {
      set(n->output(), in(n, 0));
    } else if (kind == prim::ListConstruct || kind == prim::TupleConstruct) {
      construct(*this, n);
    } else if (kind == prim::ListUnpack || kind == prim::TupleUnpack) {
      unpack(*this, n);
    } else if ((kind == aten::__getitem__ || kind == prim::TupleIndex) && on_list) {
      index(*this, n);
    } else if (kind == aten::len && on_list) {
      set(n->output(), TsValue::of_const(static_cast<int64_t>(in(n, 0).items.size())));
    } else if (kind == aten::append && !(in(n, 0).is_const() && in(n, 1).is_const())) {
      append(*this, n);
    } else if ((kind == aten::size || kind == aten::dim) && on_tensor) {
      shape_query(*this, n);
    } else if (kind == prim::dtype && on_tensor) {
      set(n->output(), TsValue::of_const(static_cast<int64_t>(c10::ScalarType::Float)));
    } else if (kind == prim::device && on_tensor) {
      set(n->output(), TsValue::of_const(c10::Device(c10::kCPU)));
    } else {
      return false;
    }
  } catch (const Unsupported& u) {
    mark_unsupported(n, u.why);
  }
  return true;
}

}  // namespace bitshift::torchscript
