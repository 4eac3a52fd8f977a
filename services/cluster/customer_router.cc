#include "services/cluster/customer_router.h"

#include <thread>

#include <httplib.h>
#include <spdlog/spdlog.h>

#include "services/config/config.h"

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
      httplib::Client client(target->host, target->port);
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

void AddClusterRoutes(httplib::Server& server, const CustomerRouter& router, const InstanceRegistry& registry) {
  server.Get(R"(/v1/customers/([^/]+))", [&router](const httplib::Request& request, httplib::Response& response) {
    const HttpResponse answer = router.GetCustomer(request.matches[1].str(), request.has_header(kForwardedHeader.data()),
                                                   request.get_header_value("Authorization"));
    response.status = answer.status;
    response.set_content(answer.body, answer.content_type.c_str());
  });
  server.Get("/v1/cluster/instances", [&registry](const httplib::Request&, httplib::Response& response) {
    response.set_content(registry.ToJson().dump(), "application/json");
  });
}

}  // namespace rapport::services
