#include "services/platform/routes.h"

#include "services/platform/platform.h"

namespace rapport::services {

void AddHealthRoutes(HttpServer& server, const Platform& platform) {
  server.Get("/healthz", [](const HttpRequest&) { return JsonResponse(200, {{"status", "ok"}}); });
  server.Get("/readyz", [&platform](const HttpRequest&) {
    return JsonResponse(platform.ready() ? 200 : 503, platform.ReadinessJson());
  });
}

void AddGatewayRoutes(HttpServer& server, Gateway& gateway, const CredentialStore& credentials) {
  server.Post("/v1/events", [&gateway, &credentials](const HttpRequest& request) {
    // Asked only when the body holds an admin-only event.
    const AdminCheck is_admin = [&] {
      const Authentication auth = credentials.Authenticate(request.header("Authorization"));
      return auth.caller && auth.caller->roles.Has(Role::kAdmin);
    };
    return gateway.Accept(request.body, request.header("Content-Type"), is_admin);
  });
}

void AddQueryRoutes(HttpServer& server, const QueryService& query) {
  for (const projections::Route& route : query.routes()) server.Mount(route);
}

}  // namespace rapport::services
