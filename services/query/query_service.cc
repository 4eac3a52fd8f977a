#include "services/query/query_service.h"

#include "services/query/loyalty_queries.h"
#include "services/query/satisfaction_queries.h"

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
  const auto model = stores_.model_parameters ? stores_.model_parameters->Latest() : nullptr;
  return GetCustomerWithValue(*stores_.customer_view, customer_id, settings_, model.get());
}

HttpResponse QueryService::ListCustomers(const QueryParams& params) const {
  auto query = ParseCustomerListQuery(params);
  if (!query.ok()) return ErrorResponse(query.status());
  if (!stores_.customer_view) return Unavailable("customer-view");
  return services::ListCustomers(*stores_.customer_view, *query, settings_);
}

HttpResponse QueryService::GetPyramid() const {
  if (!stores_.customer_view) return Unavailable("customer-view");
  return services::GetPyramid(*stores_.customer_view);
}

HttpResponse QueryService::GetRfmSegments() const {
  if (!stores_.customer_view) return Unavailable("customer-view");
  return services::GetRfmSegments(*stores_.customer_view);
}

HttpResponse QueryService::GetCustomerSatisfaction(std::string_view customer_id) const {
  if (!stores_.satisfaction) return Unavailable("satisfaction");
  return services::GetCustomerSatisfaction(*stores_.satisfaction, customer_id, settings_);
}

HttpResponse QueryService::GetSatisfactionTrends(const QueryParams& params) const {
  auto query = ParseSatisfactionTrendQuery(params);
  if (!query.ok()) return ErrorResponse(query.status());
  if (!stores_.satisfaction) return Unavailable("satisfaction");
  return services::GetSatisfactionTrends(*stores_.satisfaction, *query, settings_);
}

HttpResponse QueryService::GetCustomerLoyalty(std::string_view customer_id) const {
  if (!stores_.loyalty) return Unavailable("loyalty");
  return services::GetCustomerLoyalty(*stores_.loyalty, customer_id, settings_);
}

HttpResponse QueryService::GetLoyaltySegments() const {
  if (!stores_.loyalty) return Unavailable("loyalty");
  return services::GetLoyaltySegments(*stores_.loyalty, settings_);
}

}  // namespace rapport::services
