#include "services/projection_registry.h"

#include "projections/customer_view_projection.h"
#include "projections/loyalty_projection.h"
#include "projections/satisfaction_projection.h"

namespace rapport::services {

const std::vector<std::string>& ProjectionNames() {
  static const std::vector<std::string> kNames = {std::string(projections::CustomerViewProjection::kName),
                                                  std::string(projections::SatisfactionProjection::kName),
                                                  std::string(projections::LoyaltyProjection::kName)};
  return kNames;
}

Result<std::unique_ptr<projections::Projection>> MakeProjection(std::string_view name, projections::Store& store,
                                                                const projections::DomainSettings& settings) {
  if (name == projections::CustomerViewProjection::kName) {
    auto projection = projections::CustomerViewProjection::Create(store, settings);
    if (!projection.ok()) return projection.status();
    return std::unique_ptr<projections::Projection>(std::move(projection).value());
  }
  if (name == projections::SatisfactionProjection::kName) {
    auto projection = projections::SatisfactionProjection::Create(store, settings);
    if (!projection.ok()) return projection.status();
    return std::unique_ptr<projections::Projection>(std::move(projection).value());
  }
  if (name == projections::LoyaltyProjection::kName) {
    auto projection = projections::LoyaltyProjection::Create(store, settings);
    if (!projection.ok()) return projection.status();
    return std::unique_ptr<projections::Projection>(std::move(projection).value());
  }
  return Status::InvalidArgument("projection", "unknown projection \"" + std::string(name) + "\"");
}

}  // namespace rapport::services
