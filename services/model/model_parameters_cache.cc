#include "services/model/model_parameters_cache.h"

#include <spdlog/spdlog.h>

#include "services/model/model_parameters_topic.h"
#include "services/process/thread_name.h"

namespace rapport::services {

Result<std::unique_ptr<ModelParametersCache>> ModelParametersCache::Start(
    const events::KafkaSettings& kafka, const ModelSettings& settings,
    const events::TopicHistory* durable_copy) {
  if (settings.refresh_seconds <= 0) {
    return Status::InvalidArgument("model.refresh_seconds",
                                   "must be > 0, got " + std::to_string(settings.refresh_seconds));
  }
  std::unique_ptr<ModelParametersCache> cache(new ModelParametersCache(kafka, settings, durable_copy));
  cache->thread_ = std::thread([c = cache.get()] {
    NameThisThread("model-cache");
    c->Loop();
  });
  return cache;
}

ModelParametersCache::~ModelParametersCache() { Stop(); }

std::shared_ptr<const projections::ModelParameters> ModelParametersCache::Latest() const {
  std::lock_guard lock(mutex_);
  return latest_;
}

std::vector<projections::ModelParameters> ModelParametersCache::History() const {
  std::lock_guard lock(mutex_);
  return history_;
}

Status ModelParametersCache::Refresh() {
  auto read =
      ReadModelParameterHistory(kafka_, projections::kClvModelName, std::chrono::seconds(10), durable_copy_);
  if (!read.ok()) return read.status();
  if (!read->empty()) {
    auto fresh = std::make_shared<const projections::ModelParameters>(read->back());
    std::lock_guard lock(mutex_);
    latest_ = std::move(fresh);
    history_ = std::move(read).value();
  }
  return Status::Ok();
}

void ModelParametersCache::Loop() {
  while (!stop_.stopped()) {
    Status refreshed = Refresh();
    if (!refreshed.ok()) spdlog::warn("model parameters: {}", refreshed.ToString());
    stop_.WaitFor(std::chrono::seconds(settings_.refresh_seconds));
  }
}

void ModelParametersCache::Stop() {
  stop_.Stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace rapport::services
