#pragma once
// The HTTP endpoints, grouped by role. Handlers only translate between HTTP and
// the role objects; all logic lives in Gateway and QueryService.

#include "services/access/credential_store.h"
#include "services/http/http_server.h"
#include "services/ingest/gateway.h"
#include "services/query/query_service.h"

namespace rapport::services {

class Platform;

void AddHealthRoutes(HttpServer& server, const Platform& platform);   // /healthz, /readyz
// POST /v1/events; customers_merged and customer_erased need the admin role.
void AddGatewayRoutes(HttpServer& server, Gateway& gateway, const CredentialStore& credentials);
void AddQueryRoutes(HttpServer& server, const QueryService& query);  // every module's routes

}  // namespace rapport::services
