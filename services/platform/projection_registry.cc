#include "services/platform/projection_registry.h"

namespace rapport::services {

std::vector<std::string> ProjectionNames() {
  std::vector<std::string> names;
  for (const projections::ProjectionModule* module : projections::RegisteredProjections()) {
    names.emplace_back(module->name);
  }
  return names;
}

Result<const projections::ProjectionModule*> ProjectionModuleNamed(std::string_view name) {
  if (const projections::ProjectionModule* module = projections::FindProjection(name)) return module;
  std::string known;
  for (const std::string& each : ProjectionNames()) known += (known.empty() ? "" : ", ") + each;
  return Status::InvalidArgument("projection", "unknown projection \"" + std::string(name) + "\" (known: " + known + ")");
}

Result<std::unique_ptr<projections::Projection>> MakeProjection(std::string_view name, projections::Store& store,
                                                                const projections::DomainSettings& settings,
                                                                const ProjectionDeps& deps) {
  auto module = ProjectionModuleNamed(name);
  if (!module.ok()) return module.status();
  return (*module)->create(store, settings, deps);
}

Result<std::optional<nlohmann::json>> DescribeCustomer(std::string_view name, const projections::Store& store,
                                                       std::string_view customer_id,
                                                       const projections::DomainSettings& settings) {
  auto module = ProjectionModuleNamed(name);
  if (!module.ok()) return module.status();
  // Exactly the body of the projection's GET /v1/customers/{id}[/...] answer, without
  // model parameters (a diff compares what the store holds).
  projections::ServeContext context{.store = &store, .settings = settings};
  return projections::DescribeCustomer(**module, context, customer_id);
}

}  // namespace rapport::services
