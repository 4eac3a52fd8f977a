#pragma once
// The model fits a churn replay applies (projections/churn/churn_fit_book.h): the ones the
// live churn projection took in (its store under <data_dir>/churn keeps every fit
// it saw, so a replay applies the same ones offline), plus the fits on the model
// parameters topic when Kafka brokers are configured. A replay with neither has no
// P(alive) half, and says so in the log.

#include <filesystem>
#include <vector>

#include "events/status.h"
#include "models/model_parameters.h"
#include "services/config/config.h"

namespace rapport::services {

// Every fit known to the live platform in `data_dir` and, when config.brokers is
// set, on config.kafka.topics.model_parameters. A topic that does not answer is a
// warning, not an error (the store's fits still apply); a damaged store is an error.
Result<std::vector<projections::ModelParameters>> KnownChurnFits(const Config& config,
                                                                 const std::filesystem::path& data_dir);

}  // namespace rapport::services
