#include "services/projection_registry.h"

#include "events/kafka_settings.h"

#include "projections/churn_projection.h"
#include "projections/customer_view_projection.h"

namespace rapport::services {

const std::vector<std::string>& ProjectionNames() {
  static const std::vector<std::string> kNames = {std::string(projections::CustomerViewProjection::kName),
                                                  std::string(projections::ChurnProjection::kName)};
  return kNames;
}

Result<std::unique_ptr<projections::Projection>> MakeProjection(std::string_view name, projections::Store& store,
                                                                const projections::DomainSettings& settings) {
  return MakeProjection(name, store, settings, ProjectionDeps{});
}

Result<std::unique_ptr<projections::Projection>> MakeProjection(std::string_view name, projections::Store& store,
                                                                const projections::DomainSettings& settings,
                                                                const ProjectionDeps& deps) {
  if (name == projections::ChurnProjection::kName) {
    projections::ChurnDeps churn;
    churn.partitions = deps.partitions > 0                 ? deps.partitions
                       : settings.churn.partitions > 0 ? settings.churn.partitions
                                                       : events::KafkaSettings{}.partitions;
    churn.wall_clock = deps.live;
    auto projection = projections::ChurnProjection::Create(store, settings, churn);
    if (!projection.ok()) return projection.status();
    return std::unique_ptr<projections::Projection>(std::move(projection).value());
  }
  if (name == projections::CustomerViewProjection::kName) {
    auto projection = projections::CustomerViewProjection::Create(store, settings);
    if (!projection.ok()) return projection.status();
    return std::unique_ptr<projections::Projection>(std::move(projection).value());
  }
  return Status::InvalidArgument("projection", "unknown projection \"" + std::string(name) + "\"");
}

}  // namespace rapport::services
