#include "projections/runtime/module.h"

#include <cstdio>
#include <cstdlib>

namespace rapport::projections {
namespace {

std::vector<const ProjectionModule*>& Added() {
  static std::vector<const ProjectionModule*> modules;
  return modules;
}

}  // namespace

bool RegisterProjectionModule(const ProjectionModule& module) {
  for (const ProjectionModule* known : Added()) {
    if (known->name == module.name) {
      // Two consumer groups and stores of one name would mix their state.
      std::fprintf(stderr, "rapport: projection \"%.*s\" registered twice\n", static_cast<int>(module.name.size()),
                   module.name.data());
      std::abort();
    }
  }
  Added().push_back(&module);
  return true;
}

const std::vector<const ProjectionModule*>& AddedProjectionModules() { return Added(); }

HttpResponse NotServed(std::string_view name) {
  return ErrorResponse(Status::Unavailable(std::string(name) + " projection is not served by this process"));
}

std::vector<Route> ServedRoutes(const ServeContext& context, std::string_view name, std::vector<Route> routes) {
  if (context.store) return routes;
  for (Route& route : routes) {
    route.answer = [name](const HttpRequest&) { return NotServed(name); };
    route.stream = nullptr;
  }
  return routes;
}

Result<std::optional<nlohmann::json>> DescribeCustomer(const ProjectionModule& module, const ServeContext& context,
                                                       std::string_view customer_id) {
  if (!module.customer) {
    return Status::InvalidArgument("projection", "projection \"" + std::string(module.name) +
                                                     "\" declares no customer answer (its module.cc)");
  }
  HttpResponse response = module.customer(context, customer_id);
  if (response.status == 404) return std::optional<nlohmann::json>();
  nlohmann::json body = nlohmann::json::parse(response.body, nullptr, false);
  if (response.status != 200 || body.is_discarded()) {
    return Status::Internal("describe " + std::string(customer_id) + ": " + response.body);
  }
  return std::optional<nlohmann::json>(std::move(body));
}

}  // namespace rapport::projections
