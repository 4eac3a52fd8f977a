#include "services/query_service.h"

#include "projections/customer_view_json.h"
#include "projections/customer_view_projection.h"

namespace rapport::services {
namespace {

HttpResponse Unavailable(std::string_view projection) {
  return ErrorResponse(Status::Unavailable(std::string(projection) + " projection is not served by this process"));
}

}  // namespace

QueryService::QueryService(QueryStores stores, projections::DomainSettings settings)
    : stores_(stores), settings_(std::move(settings)) {}

HttpResponse QueryService::GetCustomer(std::string_view customer_id) const {
  if (!stores_.customer_view) return Unavailable("customer-view");
  auto view = projections::ReadCustomerView(*stores_.customer_view, customer_id);
  if (!view.ok()) return ErrorResponse(view.status());
  if (!view->has_value()) return ErrorResponse(Status::NotFound("unknown customer " + std::string(customer_id)));
  return JsonResponse(200, projections::CustomerViewToJson(**view));
}

}  // namespace rapport::services
