#pragma once
// The projections a rapport process can run, by name, over the registered modules
// (projections/registry/registered_projections.h). Each has its own consumer group
// and its own store folder under the data directory.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "events/status.h"
#include "projections/domain/domain_settings.h"
#include "projections/registry/registered_projections.h"
#include "projections/runtime/module.h"
#include "projections/runtime/projection.h"
#include "storage/store.h"

namespace rapport::services {

// What some projections need from the process that runs them (module.h).
using ProjectionDeps = projections::ProjectionDeps;

// The registered names, in registration order (the customer view first).
std::vector<std::string> ProjectionNames();

// The module of `name`; errors name the field "projection" and list the known names.
Result<const projections::ProjectionModule*> ProjectionModuleNamed(std::string_view name);

Result<std::unique_ptr<projections::Projection>> MakeProjection(std::string_view name, projections::Store& store,
                                                                const projections::DomainSettings& settings,
                                                                const ProjectionDeps& deps = {});

// One customer's state in a store of projection `name`, as JSON (what the query API
// shows for it), for `rapport diff`; nullopt when the store has no such customer.
// Keys of the store's state family are customer ids.
Result<std::optional<nlohmann::json>> DescribeCustomer(std::string_view name, const projections::Store& store,
                                                       std::string_view customer_id,
                                                       const projections::DomainSettings& settings);

}  // namespace rapport::services
