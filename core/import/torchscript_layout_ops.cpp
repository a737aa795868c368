// TorchScript import: the aten ops that move values around without computing new ones:
// flatten and view, the view-transpose-view of a channel shuffle, concat, and channel splits.
#include <algorithm>
#include <limits>

#include "import/torchscript_convert.h"

namespace bitshift::torchscript {

namespace {

using C = Converter;
using N = JitNode;

void flatten(C& c, const N* n) {  // aten::flatten(x, start_dim, end_dim)
  const int x = c.node_of(n, 0);
  const int64_t rank = c.rank_of(x);
  if (normalized_dim(c.int_arg(n, 1, "start_dim"), rank) != 1 ||
      normalized_dim(c.int_arg(n, 2, "end_dim"), rank) != rank - 1)
    throw Unsupported{"only flatten(1, -1) (keep the batch)"};
  if (c.shape_of(x).flat) return identity(c, n);
  unary(c, n, OpKind::Flatten);
}

bool is_batch(int64_t d) { return d == kBatchDim || d == -1; }

// [N, -1] or [N, C·H·W]: a flatten.
bool flattens(const std::vector<int64_t>& t, const Shape& s) {
  return t.size() == 2 && is_batch(t[0]) && (t[1] == -1 || t[1] == s.numel()) &&
         !(t[0] == -1 && t[1] == -1);
}

// [N, g, C/g, H, W]: the first step of a channel shuffle.
bool splits_groups(const std::vector<int64_t>& t, const Shape& s) {
  return t.size() == 5 && !s.flat && is_batch(t[0]) && t[1] > 0 && s.c % t[1] == 0 &&
         (t[2] == s.c / t[1] || t[2] == -1) && t[3] == s.h && t[4] == s.w;
}

// [N, C, H, W] after the transpose: the last step of a channel shuffle.
bool merges_groups(const std::vector<int64_t>& t, const Shape& s) {
  return t.size() == 4 && is_batch(t[0]) && (t[1] == s.c || t[1] == -1) && t[2] == s.h &&
         t[3] == s.w;
}

std::string shape_text(const std::vector<int64_t>& t) {
  std::string dims;
  for (int64_t d : t)
    dims += (dims.empty() ? "" : ", ") + (d == kBatchDim ? "N" : std::to_string(d));
  return "[" + dims + "]";
}

// aten::view / aten::reshape(x, shape)
void view(C& c, const N* n) {
  if (c.in(n, 0).kind != TsValue::Kind::Node || c.in(n, 0).pending_matmul()) c.node_of(n, 0);
  const TsValue x = c.in(n, 0);
  const Shape s = c.shape_of(x.node);
  const auto t = c.ints_arg(n, 1, "shape");
  if (!x.shuffle_groups && flattens(t, s)) {
    if (s.flat) return identity(c, n);
    return unary(c, n, OpKind::Flatten);
  }
  if (!x.shuffle_groups && splits_groups(t, s)) {
    TsValue v = x;
    v.shuffle_groups = t[1];
    return c.set(n->output(), v);
  }
  if (x.shuffle_transposed && merges_groups(t, s)) {
    Node a;
    a.groups = x.shuffle_groups;
    return c.set_node(n->output(), c.emit(n, OpKind::ChannelShuffle, {x.node}, a));
  }
  throw Unsupported{"a view as " + shape_text(t) + " of " + s.str() +
                    " (supported: [N, -1], and the view-transpose-view of a channel shuffle)"};
}

// The middle step of a channel shuffle: [N, g, C/g, H, W] -> [N, C/g, g, H, W].
void mark_transposed(C& c, const N* n, bool is_shuffle_transpose) {
  const TsValue& x = c.in(n, 0);
  if (x.kind != TsValue::Kind::Node || !x.shuffle_groups || x.shuffle_transposed ||
      !is_shuffle_transpose)
    throw Unsupported{"only the transpose of a channel shuffle"};
  TsValue v = x;
  v.shuffle_transposed = true;
  c.set(n->output(), v);
}
void transpose(C& c, const N* n) {  // aten::transpose(x, 1, 2) of [N, g, C/g, H, W]
  const int64_t d0 = normalized_dim(c.int_arg(n, 1, "dim0"), 5);
  const int64_t d1 = normalized_dim(c.int_arg(n, 2, "dim1"), 5);
  mark_transposed(c, n, std::min(d0, d1) == 1 && std::max(d0, d1) == 2);
}
void permute(C& c, const N* n) {
  mark_transposed(c, n, c.ints_arg(n, 1, "dims") == std::vector<int64_t>{0, 2, 1, 3, 4});
}
void contiguous(C& c, const N* n) {  // keeps a channel shuffle's state
  if (c.in(n, 0).kind != TsValue::Kind::Node) c.node_of(n, 0);
  c.set(n->output(), c.in(n, 0));
}

void channel_shuffle(C& c, const N* n) {
  Node a;
  a.groups = c.int_arg(n, 1, "groups");
  unary(c, n, OpKind::ChannelShuffle, a);
}

void cat(C& c, const N* n) {  // aten::cat(tensors, dim)
  const TsValue& list = c.in(n, 0);
  if (list.kind != TsValue::Kind::List) throw Unsupported{"its tensors must be a list"};
  std::vector<int> xs;
  for (const auto& item : list.items) xs.push_back(c.node_of(item));
  if (xs.empty()) throw Unsupported{"an empty list"};
  if (normalized_dim(c.int_arg(n, 1, "dim"), c.rank_of(xs[0])) != 1)
    throw Unsupported{"only a concat along channels"};
  c.set_node(n->output(), c.emit(n, OpKind::Concat, xs));
}

// Channel slices [begin, end) of x, one per size, as the list the node returns.
void split_channels(C& c, const N* n, int x, const std::vector<int64_t>& sizes) {
  TsValue list;
  list.kind = TsValue::Kind::List;
  int64_t begin = 0;
  for (int64_t size : sizes) {
    Node a;
    a.begin = begin, a.end = begin + size;
    begin = a.end;
    list.items.push_back(TsValue::of_node(c.emit(n, OpKind::Slice, {x}, a)));
  }
  if (begin != c.shape_of(x).c) throw Unsupported{"its sizes do not add up to the channels"};
  c.set(n->output(), list);
}

int split_input(C& c, const N* n) {
  const int x = c.node_of(n, 0);
  if (normalized_dim(c.int_arg(n, 2, "dim"), c.rank_of(x)) != 1)
    throw Unsupported{"only a split along channels"};
  return x;
}

void chunk(C& c, const N* n) {  // aten::chunk(x, chunks, dim): pieces of ceil(C / chunks)
  const int x = split_input(c, n);
  const int64_t ch = c.shape_of(x).c, chunks = c.int_arg(n, 1, "chunks");
  if (chunks < 1) throw Unsupported{"chunks must be positive"};
  const int64_t step = (ch + chunks - 1) / chunks;
  std::vector<int64_t> sizes;
  for (int64_t b = 0; b < ch; b += step) sizes.push_back(std::min(step, ch - b));
  split_channels(c, n, x, sizes);
}

void split(C& c, const N* n) {  // aten::split(x, size or sizes, dim), split_with_sizes
  const int x = split_input(c, n);
  const int64_t ch = c.shape_of(x).c;
  const c10::IValue arg = c.constant(n, 1, "split sizes");
  if (!arg.isInt()) return split_channels(c, n, x, c.ints_arg(n, 1, "split sizes"));
  const int64_t step = arg.toInt();
  if (step < 1) throw Unsupported{"split size must be positive"};
  std::vector<int64_t> sizes;
  for (int64_t b = 0; b < ch; b += step) sizes.push_back(std::min(step, ch - b));
  split_channels(c, n, x, sizes);
}

void slice(C& c, const N* n) {  // aten::slice(x, dim, start, end, step)
  const int x = c.node_of(n, 0);
  const int64_t rank = c.rank_of(x), ch = c.shape_of(x).c;
  const int64_t dim = normalized_dim(c.int_arg(n, 1, "dim"), rank);
  const int64_t step = c.is_none(n, 4) ? 1 : c.int_arg(n, 4, "step");
  const int64_t big = std::numeric_limits<int64_t>::max();
  int64_t begin = c.is_none(n, 2) ? 0 : c.int_arg(n, 2, "start");
  int64_t end = c.is_none(n, 3) ? big : c.int_arg(n, 3, "end");
  if (dim == 0 && begin == 0 && end == big && step == 1) return identity(c, n);  // x[:]
  if (dim != 1 || step != 1) throw Unsupported{"only a step-1 slice of channels"};
  auto clamped = [&](int64_t v) { return std::clamp<int64_t>(v < 0 ? v + ch : v, 0, ch); };
  Node a;
  a.begin = clamped(begin), a.end = clamped(end);
  if (a.begin == 0 && a.end == ch) return identity(c, n);
  unary(c, n, OpKind::Slice, a);
}

}  // namespace

std::map<std::string, OpMapping> layout_op_mappings() {
  return {{"aten::flatten", flatten},
          {"aten::view", view},
          {"aten::reshape", view},
          {"aten::transpose", transpose},
          {"aten::permute", permute},
          {"aten::contiguous", contiguous},
          {"aten::channel_shuffle", channel_shuffle},
          {"aten::native_channel_shuffle", channel_shuffle},
          {"aten::cat", cat},
          {"aten::chunk", chunk},
          {"aten::unsafe_chunk", chunk},
          {"aten::split", split},
          {"aten::split_with_sizes", split},
          {"aten::unsafe_split", split},
          {"aten::slice", slice}};
}

}  // namespace bitshift::torchscript
