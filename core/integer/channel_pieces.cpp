#include "integer/channel_pieces.h"

#include <algorithm>

namespace bitshift {

std::vector<ChannelPiece> channel_slice(const std::vector<ChannelPiece>& in, int64_t begin,
                                        int64_t end) {
  std::vector<ChannelPiece> out;
  int64_t c = 0;
  for (const ChannelPiece& p : in) {
    const int64_t lo = std::max(begin, c), hi = std::min(end, c + p.count);
    if (lo < hi) {
      ChannelPiece q = p;
      q.first = p.first + (lo - c), q.count = hi - lo;
      q.scale.assign(p.scale.begin() + (lo - c), p.scale.begin() + (hi - c));
      q.offset.assign(p.offset.begin() + (lo - c), p.offset.begin() + (hi - c));
      out.push_back(std::move(q));
    }
    c += p.count;
  }
  return out;
}

std::vector<ChannelPiece> channel_shuffle(const std::vector<ChannelPiece>& in, int64_t groups) {
  int64_t C = 0;
  for (const ChannelPiece& p : in) C += p.count;
  std::vector<ChannelPiece> out;
  for (int64_t o = 0; o < C; ++o) {
    const int64_t src = (o % groups) * (C / groups) + o / groups;
    ChannelPiece q = channel_slice(in, src, src + 1).at(0);
    ChannelPiece* last = out.empty() ? nullptr : &out.back();
    if (last && last->layer == q.layer && last->first + last->count == q.first &&
        last->clamp == q.clamp) {
      ++last->count;  // extend a run of consecutive channels
      last->scale.push_back(q.scale[0]);
      last->offset.push_back(q.offset[0]);
    } else {
      out.push_back(std::move(q));
    }
  }
  return out;
}

void add_run(IntLayer& L, const ChannelPiece& p) {
  auto at = std::find(L.inputs.begin(), L.inputs.end(), p.layer);
  if (at == L.inputs.end()) at = L.inputs.insert(L.inputs.end(), p.layer);
  L.runs.push_back({static_cast<int32_t>(at - L.inputs.begin()), static_cast<int32_t>(p.first),
                    static_cast<int32_t>(p.count)});
}

}  // namespace bitshift
