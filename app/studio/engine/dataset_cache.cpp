#include "engine/dataset_cache.h"

#include <map>
#include <mutex>

#include "data/registry.h"
#include "train/model_source.h"

namespace bitshift::studio {

std::shared_ptr<const DatasetPair> cached_dataset(const std::string& name) {
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const DatasetPair>> cache;
  std::lock_guard<std::mutex> lock(mutex);
  auto& entry = cache[name];
  if (!entry) entry = std::make_shared<const DatasetPair>(open_dataset(name));
  return entry;
}

LoadedModel open_studio_model(const std::string& model, const std::string& data) {
  const auto dataset = cached_dataset(data);
  ModelOptions options;
  options.num_classes = dataset->train.num_classes;
  return load_model(model, *dataset, data, options);
}

}  // namespace bitshift::studio
