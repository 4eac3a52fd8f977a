#include "services/query/query_service.h"

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
      for (projections::Route& route : each.module->routes(context)) routes_.push_back(std::move(route));
    }
    if (each.module->routes_queries && each.module->customer && !routed_customer_) {
      routed_customer_ = [customer = each.module->customer, context](std::string_view id) {
        return customer(context, id);
      };
    }
  }
}

HttpResponse QueryService::GetCustomer(std::string_view customer_id) const {
  if (!routed_customer_) {
    return ErrorResponse(Status::Unavailable("no registered projection routes customer queries"));
  }
  return routed_customer_(customer_id);
}

}  // namespace rapport::services
