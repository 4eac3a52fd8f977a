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

void AddGatewayRoutes(httplib::Server& server, Gateway& gateway) {
  server.Post("/v1/events", [&gateway](const httplib::Request& request, httplib::Response& response) {
    Send(response, gateway.Accept(request.body, request.get_header_value("Content-Type")));
  });
}

void AddQueryRoutes(httplib::Server& server, const QueryService& query) {
  server.Get(R"(/v1/customers/([^/]+))", [&query](const httplib::Request& request, httplib::Response& response) {
    Send(response, query.GetCustomer(request.matches[1].str()));
  });
  server.Get(R"(/v1/customers/([^/]+)/satisfaction)",
             [&query](const httplib::Request& request, httplib::Response& response) {
               Send(response, query.GetCustomerSatisfaction(request.matches[1].str()));
             });
  server.Get(R"(/v1/customers/([^/]+)/loyalty)", [&query](const httplib::Request& request, httplib::Response& response) {
    Send(response, query.GetCustomerLoyalty(request.matches[1].str()));
  });
  server.Get("/v1/segments/loyalty", [&query](const httplib::Request&, httplib::Response& response) {
    Send(response, query.GetLoyaltySegments());
  });
  server.Get("/v1/trends/satisfaction", [&query](const httplib::Request& request, httplib::Response& response) {
    Send(response, query.GetSatisfactionTrends(QueryParams(request.params.begin(), request.params.end())));
  });
  server.Get("/v1/customers", [&query](const httplib::Request& request, httplib::Response& response) {
    Send(response, query.ListCustomers(QueryParams(request.params.begin(), request.params.end())));
  });
  server.Get("/v1/segments/pyramid", [&query](const httplib::Request&, httplib::Response& response) {
    Send(response, query.GetPyramid());
  });
  server.Get("/v1/segments/rfm", [&query](const httplib::Request&, httplib::Response& response) {
    Send(response, query.GetRfmSegments());
  });
}

}  // namespace rapport::services
