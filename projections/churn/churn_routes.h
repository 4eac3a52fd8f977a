#pragma once
// The churn alert endpoints (README "Churn alerts"):
//   GET /v1/alerts?status=open|cleared&tier=A&since=&limit=&cursor=
//   GET /v1/customers/{id}/alerts
//   GET /v1/alerts/stream       Server-Sent Events, Last-Event-ID resume
//   GET /v1/stats/churn?period=month&tier=
// All read the churn projection's store (a primary or a following secondary);
// with no churn store they answer 503. The handlers below are plain functions
// that tests call directly; ChurnRoutes declares them.

#include <atomic>

#include "storage/store.h"
#include "projections/runtime/module.h"
#include "projections/runtime/http_answer.h"

namespace rapport::projections {

HttpResponse ListAlertsResponse(const Store* churn, const QueryParams& params);
HttpResponse CustomerAlertsResponse(const Store* churn, std::string_view customer_id);
HttpResponse ChurnStatsResponse(const Store* churn, const QueryParams& params);

// The module's customer answer (its alerts) and every endpoint above; the event
// stream ends when `context.stopping` is set.
HttpResponse ChurnOfCustomer(const ServeContext& context, std::string_view customer_id);
std::vector<Route> ChurnRoutes(const ServeContext& context);

}  // namespace rapport::projections
