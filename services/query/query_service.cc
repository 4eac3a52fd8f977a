#include "services/query/query_service.h"

#include "events/validation.h"
#include "projections/runtime/route_request.h"

namespace rapport::services {

QueryService::QueryService(std::vector<ServedProjection> served, projections::DomainSettings settings,
                           const ModelParametersCache* model_parameters, const std::atomic<bool>& stopping) {
  for (const ServedProjection& each : served) {
    projections::ServeContext context;
    context.store = each.store;
    context.settings = settings;
    if (model_parameters) context.latest_model = [model_parameters] { return model_parameters->Latest(); };
    context.stopping = &stopping;
    if (each.module->routes) {
      // Unknown or repeated parameters and bad customer ids are refused before any
      // handler runs (projections/runtime/route_request.h).
      for (projections::Route& route : each.module->routes(context)) {
        routes_.push_back(projections::WithRequestCheck(std::move(route)));
      }
    }
    if (each.module->routes_queries && each.module->customer && !routed_customer_) {
      routed_customer_ = [customer = each.module->customer, context](std::string_view id) {
        return customer(context, id);
      };
    }
  }
}

HttpResponse QueryService::GetCustomer(std::string_view customer_id) const {
  // The scaled-out route (services/cluster) comes here without the route check.
  if (Status valid = events::ValidateCustomerId(customer_id, "customer_id"); !valid.ok()) return ErrorResponse(valid);
  if (!routed_customer_) {
    return ErrorResponse(Status::Unavailable("no registered projection routes customer queries"));
  }
  return routed_customer_(customer_id);
}

}  // namespace rapport::services
