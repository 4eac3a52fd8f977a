#include "services/platform/routes.h"

#include "services/http/http_server.h"
#include "services/platform/platform.h"

namespace rapport::services {

void AddHealthRoutes(httplib::Server& server, const Platform& platform) {
  server.Get("/healthz", [](const httplib::Request&, httplib::Response& response) {
    Send(response, JsonResponse(200, {{"status", "ok"}}));
  });
  server.Get("/readyz", [&platform](const httplib::Request&, httplib::Response& response) {
    Send(response, JsonResponse(platform.ready() ? 200 : 503, platform.ReadinessJson()));
  });
}

void AddGatewayRoutes(httplib::Server& server, Gateway& gateway, const CredentialStore& credentials) {
  server.Post("/v1/events", [&gateway, &credentials](const httplib::Request& request, httplib::Response& response) {
    // Asked only when the body holds an admin-only event.
    const AdminCheck is_admin = [&] {
      const Authentication auth = credentials.Authenticate(request.get_header_value("Authorization"));
      return auth.caller && auth.caller->roles.Has(Role::kAdmin);
    };
    Send(response, gateway.Accept(request.body, request.get_header_value("Content-Type"), is_admin));
  });
}

void AddQueryRoutes(httplib::Server& server, const QueryService& query) {
  for (const projections::Route& route : query.routes()) Mount(server, route);
}

}  // namespace rapport::services
