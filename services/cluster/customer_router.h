#pragma once
// GET /v1/customers/{id} on a scaled-out projector (docs/scaling.md): answered
// here when this instance serves the customer's partition, forwarded to the
// owner otherwise. While a partition has no serving owner (an instance died and
// the group has not reassigned its partitions yet, or the new owner is still
// catching up), the query waits up to cluster.forward_patience_ms, then 503.
// A forwarded request carries X-Rapport-Forwarded and is never forwarded again
// (a stale view of ownership costs a retry, not a loop). With TLS (`tls_ca`
// set: the instances' certificate, or the CA that signs them) forwards go over HTTPS
// and verify the owner against it. Thread-safe.

#include <chrono>
#include <string>
#include <string_view>

#include "services/http/http_response.h"
#include "services/cluster/instance_registry.h"
#include "services/query/query_service.h"

namespace rapport::services {

inline constexpr std::string_view kForwardedHeader = "X-Rapport-Forwarded";

class CustomerRouter {
 public:
  CustomerRouter(const InstanceRegistry& registry, const QueryService& query, std::chrono::milliseconds patience,
                 std::string tls_ca = {})
      : registry_(registry), query_(query), patience_(patience), tls_ca_(std::move(tls_ca)) {}

  // `authorization`: the caller's Authorization header, sent on with a forward.
  HttpResponse GetCustomer(std::string_view customer_id, bool forwarded, std::string_view authorization = {}) const;

 private:
  const InstanceRegistry& registry_;
  const QueryService& query_;
  std::chrono::milliseconds patience_;
  std::string tls_ca_;  // empty: plain HTTP
};

}  // namespace rapport::services

namespace rapport::services {

class HttpServer;

// GET /v1/customers/{id} through `router`, and GET /v1/cluster/instances (the
// registry's view). Register before the plain query routes: the first match wins.
void AddClusterRoutes(HttpServer& server, const CustomerRouter& router, const InstanceRegistry& registry);

}  // namespace rapport::services
