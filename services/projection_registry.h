#pragma once
// The projections a rapport process can run, by name ("customer-view", ...). Each
// has its own consumer group and its own store folder under the data directory.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "events/status.h"
#include "projections/domain_settings.h"
#include "projections/projection.h"
#include "projections/store.h"

namespace rapport::services {

const std::vector<std::string>& ProjectionNames();

Result<std::unique_ptr<projections::Projection>> MakeProjection(std::string_view name, projections::Store& store,
                                                                const projections::DomainSettings& settings);

}  // namespace rapport::services
