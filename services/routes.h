#pragma once
// The HTTP endpoints, grouped by role. Handlers only translate between HTTP and
// the role objects; all logic lives in Gateway and QueryService.

#include <httplib.h>

#include "services/gateway.h"
#include "services/ingest_pool.h"
#include "services/query_service.h"

namespace rapport::services {

class Platform;

void AddHealthRoutes(httplib::Server& server, const Platform& platform);   // /healthz, /readyz
// POST /v1/events; the work runs on `pool` (services/ingest_pool.h).
void AddGatewayRoutes(httplib::Server& server, Gateway& gateway, IngestPool& pool);
void AddQueryRoutes(httplib::Server& server, const QueryService& query);  // GET /v1/...

}  // namespace rapport::services
