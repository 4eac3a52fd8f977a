#pragma once
// The churn alert endpoints (README "Churn alerts"):
//   GET /v1/alerts?status=open|cleared&tier=A&since=&limit=&cursor=
//   GET /v1/customers/{id}/alerts
//   GET /v1/alerts/stream       Server-Sent Events, Last-Event-ID resume
//   GET /v1/stats/churn?period=month&tier=
// All read the churn projection's store (a primary or a following secondary);
// with no churn store they answer 503. The handlers below are plain functions
// that tests call directly; AddAlertRoutes mounts them.

#include <httplib.h>

#include <atomic>

#include "storage/store.h"
#include "services/query/customer_queries.h"
#include "services/http/http_response.h"

namespace rapport::services {

HttpResponse ListAlertsResponse(const projections::Store* churn, const QueryParams& params);
HttpResponse CustomerAlertsResponse(const projections::Store* churn, std::string_view customer_id);
HttpResponse ChurnStatsResponse(const projections::Store* churn, const QueryParams& params);

// `stopping` ends open SSE streams (the server is shutting down).
void AddAlertRoutes(httplib::Server& server, const projections::Store* churn,
                    const std::atomic<bool>& stopping);

}  // namespace rapport::services
