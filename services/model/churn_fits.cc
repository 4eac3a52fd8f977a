#include "services/model/churn_fits.h"

#include <spdlog/spdlog.h>

#include "projections/churn/churn_projection.h"
#include "storage/store.h"
#include "services/model/model_parameters_topic.h"

namespace rapport::services {

Result<std::vector<projections::ModelParameters>> KnownChurnFits(const Config& config,
                                                                 const std::filesystem::path& data_dir) {
  std::vector<projections::ModelParameters> fits;
  const auto live = data_dir / std::string(projections::ChurnProjection::kName);
  if (std::filesystem::exists(live / "CURRENT")) {
    auto store = projections::Store::Open(live, projections::OpenMode::kSecondary);
    if (!store.ok()) return store.status().WithContext("the live churn store " + live.string());
    auto stored = projections::ReadChurnFits(**store);
    if (!stored.ok()) return stored.status().WithContext(live.string());
    fits = std::move(stored).value();
  }
  if (!config.brokers.empty()) {
    auto published =
        ReadModelParameterHistory(config.kafka, projections::kClvModelName, std::chrono::seconds(10));
    if (published.ok()) {
      fits.insert(fits.end(), published->begin(), published->end());
    } else {
      spdlog::warn("churn replay: model fits on {} not read ({}); using the {} the live store holds",
                   config.kafka.topics.model_parameters, published.status().ToString(), fits.size());
    }
  }
  if (fits.empty()) spdlog::info("churn replay: no model fit known: the P(alive) half of `overdue` is not applied");
  return fits;
}

}  // namespace rapport::services
