#pragma once
// The one shape of progress reporting for long work: a callback receives a plain value and
// returns false to ask the work to stop (cancel) at the next safe point.
#include <functional>

namespace bitshift {

template <class Snapshot>
using ProgressFn = std::function<bool(const Snapshot&)>;

}  // namespace bitshift
