#pragma once
// The projections a rapport process can run, by name ("customer-view", ...). Each
// has its own consumer group and its own store folder under the data directory.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "events/status.h"
#include "projections/domain/domain_settings.h"
#include "models/model_parameters.h"
#include "projections/runtime/projection.h"
#include "storage/store.h"

namespace rapport::services {

const std::vector<std::string>& ProjectionNames();

Result<std::unique_ptr<projections::Projection>> MakeProjection(std::string_view name, projections::Store& store,
                                                                const projections::DomainSettings& settings);

// One customer's state in a store of projection `name`, as JSON (what the query API
// shows for it), for `rapport diff`; nullopt when the store has no such customer.
// Keys of the store's state family are customer ids. A projection without a
// description yet gives an error naming it.
Result<std::optional<nlohmann::json>> DescribeCustomer(std::string_view name, const projections::Store& store,
                                                       std::string_view customer_id,
                                                       const projections::DomainSettings& settings);
// What some projections need from the process that runs them. The defaults suit a
// replay or a tool: no wall clock, the partition count from the settings.
struct ProjectionDeps {
  // Partitions of the interactions topic (the churn clock waits for each, so a
  // count above the real one holds churn event time back for ever: pass the real
  // one). domain.churn.partitions, when set, wins; 0: the default topic's 12.
  int partitions = 0;
  bool live = false;  // the live service: the churn projection may tick on the wall clock
  // The published model fits (services/model/model_parameters_topic.h), for the churn
  // projection's P(alive) rule; absent: only those its store already holds.
  std::function<std::vector<projections::ModelParameters>()> model_fits;
};
Result<std::unique_ptr<projections::Projection>> MakeProjection(std::string_view name, projections::Store& store,
                                                                const projections::DomainSettings& settings,
                                                                const ProjectionDeps& deps);

}  // namespace rapport::services
