// The scale-out part of Platform (docs/scaling.md): the instance registry, fed by
// the query-routing projector's assignment changes, and advertised once the HTTP
// port is known.

#include <spdlog/spdlog.h>

#include "services/platform/platform.h"

namespace rapport::services {

Status Platform::StartCluster() {
  if (broker_) return Status::InvalidArgument("brokers", "scale-out needs a real Kafka cluster (--brokers)");
  if (config_.cluster.forward_patience_ms <= 0) {
    return Status::InvalidArgument("cluster.forward_patience_ms", "must be positive");
  }
  auto registry = InstanceRegistry::Start(config_.kafka, config_.cluster.instance_id);
  if (!registry.ok()) return registry.status();
  registry_ = std::move(registry).value();
  return Status::Ok();
}

void Platform::AdvertiseCluster() {
  std::string address = config_.cluster.advertise;
  if (address.empty()) address = ParseHostPort(config_.listen, "listen")->host + ":" + std::to_string(http_port());
  registry_->SetAddress(address);
}

projections::ProjectorOptions Platform::ProjectorOptionsFor(const projections::ProjectionModule& module) {
  projections::ProjectorOptions options;
  options.max_future_skew_ms = config_.gateway.max_future_skew_ms;
  // Queries are routed by the partitions of the module that says so.
  if (registry_ && module.routes_queries) {
    options.on_assignment = [registry = registry_.get()](const std::vector<Partition>& assigned,
                                                         const std::vector<Partition>& serving) {
      registry->SetAssignment(assigned, serving);
    };
  }
  return options;
}

}  // namespace rapport::services
