#include "services/cluster/customer_router.h"

#include <thread>

#include <httplib.h>
#include <spdlog/spdlog.h>

#include "services/config/config.h"
#include "services/http/http_server.h"

namespace rapport::services {

HttpResponse CustomerRouter::GetCustomer(std::string_view customer_id, bool forwarded,
                                         std::string_view authorization) const {
  const Partition partition = registry_.PartitionOf(customer_id);
  const auto deadline = std::chrono::steady_clock::now() + patience_;
  std::string last = "no instance owns partition " + std::to_string(partition.value());
  for (;;) {
    auto owner = registry_.OwnerOf(partition);
    if (owner && owner->self && owner->serving) return query_.GetCustomer(customer_id);
    if (owner && owner->self) {
      last = "partition " + std::to_string(partition.value()) + " is still catching up here";
    } else if (owner && forwarded) {
      // The forwarder thinks we own it; we do not (any more). It retries.
      return ErrorResponse(Status::Unavailable("instance does not own partition " +
                                               std::to_string(partition.value()) + "; owner is " + owner->id));
    } else if (auto target = owner ? ParseHostPort(owner->address, "address") : Result<HostPort>(HostPort{});
               owner && !target.ok()) {
      last = "owner " + owner->id + " published a bad address: " + target.status().ToString();
    } else if (owner) {
      httplib::Client client((tls_ca_.empty() ? "http://" : "https://") + target->host + ":" +
                             std::to_string(target->port));
      if (!tls_ca_.empty()) {
        client.set_ca_cert_path(tls_ca_.c_str());
        client.enable_server_certificate_verification(true);
      }
      client.set_connection_timeout(1, 0);
      client.set_read_timeout(std::chrono::duration_cast<std::chrono::seconds>(patience_).count() + 5, 0);
      // The owner checks the caller's credential itself (same credentials topic).
      httplib::Headers headers{{std::string(kForwardedHeader), "1"}};
      if (!authorization.empty()) headers.emplace("Authorization", std::string(authorization));
      auto response =
          client.Get("/v1/customers/" + httplib::detail::encode_query_param(std::string(customer_id)), headers);
      // 503 means ownership moved under us: look again.
      if (response && response->status != 503) {
        return HttpResponse{response->status, response->body, response->get_header_value("Content-Type")};
      }
      last = "owner " + owner->id + " at " + owner->address + ": " +
             (response ? "503 " + response->body : httplib::to_string(response.error()));
    }
    if (std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  spdlog::warn("GET /v1/customers/{}: {}", customer_id, last);
  return ErrorResponse(Status::Unavailable(last));
}

}  // namespace rapport::services

namespace rapport::services {

void AddClusterRoutes(HttpServer& server, const CustomerRouter& router, const InstanceRegistry& registry) {
  server.Get(R"(/v1/customers/([^/]+))", [&router](const HttpRequest& request) {
    return router.GetCustomer(request.matches[1], !request.header(std::string(kForwardedHeader)).empty(),
                              request.header("Authorization"));
  });
  server.Get("/v1/cluster/instances",
             [&registry](const HttpRequest&) { return JsonResponse(200, registry.ToJson()); });
}

}  // namespace rapport::services
