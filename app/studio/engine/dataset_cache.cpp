#include "engine/dataset_cache.h"

#include <map>
#include <mutex>

#include "data/registry.h"

namespace bitshift::studio {

std::shared_ptr<const DatasetPair> cached_dataset(const std::string& name) {
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const DatasetPair>> cache;
  std::lock_guard<std::mutex> lock(mutex);
  auto& entry = cache[name];
  if (!entry) entry = std::make_shared<const DatasetPair>(open_dataset(name));
  return entry;
}

}  // namespace bitshift::studio
