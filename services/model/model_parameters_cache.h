#pragma once
// The latest published model parameters, kept fresh for the query API: a thread
// reads the model parameters topic at start and every `refresh_seconds` after.
// Readers get a shared snapshot (never a torn value).
//
// Lifecycle: Start, Latest() from any thread, Stop (or destroy) joins the thread.

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "events/kafka_settings.h"
#include "events/status.h"
#include "events/topic_reader.h"
#include "models/model_parameters.h"
#include "services/config/model_settings.h"
#include "services/process/stop_signal.h"

namespace rapport::services {

class ModelParametersCache {
 public:
  // Starts the refresh thread. InvalidArgument ("model.refresh_seconds") unless > 0.
  // `durable_copy` (embedded mode, may be null): the topic log, read before the
  // broker (events/topic_reader.h); it must outlive the cache.
  static Result<std::unique_ptr<ModelParametersCache>> Start(
      const events::KafkaSettings& kafka, const ModelSettings& settings,
      const events::TopicHistory* durable_copy = nullptr);
  ~ModelParametersCache();
  ModelParametersCache(const ModelParametersCache&) = delete;
  ModelParametersCache& operator=(const ModelParametersCache&) = delete;

  // The latest parameters of the "clv" model; null until one was read.
  std::shared_ptr<const projections::ModelParameters> Latest() const;
  // Every fit of the "clv" model read so far, by as_of (the churn projection's).
  std::vector<projections::ModelParameters> History() const;
  // Reads the topic now (the refresh thread calls it; tests may too).
  Status Refresh();
  void Stop();

 private:
  ModelParametersCache(events::KafkaSettings kafka, ModelSettings settings,
                       const events::TopicHistory* durable_copy)
      : kafka_(std::move(kafka)), settings_(settings), durable_copy_(durable_copy) {}
  void Loop();

  events::KafkaSettings kafka_;
  ModelSettings settings_;
  const events::TopicHistory* durable_copy_;
  mutable std::mutex mutex_;
  std::shared_ptr<const projections::ModelParameters> latest_;
  std::vector<projections::ModelParameters> history_;
  StopSignal stop_;
  std::thread thread_;
};

}  // namespace rapport::services
