#pragma once
// The HTTP listener shared by the gateway, the query API and the health checks.
// Lifecycle: construct, add routes on raw(), Start (binds, then serves on its own
// thread), Stop. Body size and worker count are bounded by GatewayLimits.

#include <memory>
#include <string>
#include <thread>

#include <httplib.h>

#include "events/status.h"
#include "services/config/config.h"
#include "services/http/http_response.h"
#include "services/http/request_gate.h"

namespace rapport::services {

class HttpServer {
 public:
  explicit HttpServer(const GatewayLimits& limits);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  httplib::Server& raw() { return server_; }
  // Every request asks `gate` first (before Start); a refusal is answered as it is.
  // Without a gate every request reaches its route.
  void SetGate(std::shared_ptr<const RequestGate> gate);
  // Binds host:port (port 0 picks a free one) and starts serving.
  Status Start(const HostPort& address);
  void Stop();
  int port() const { return port_; }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  int listen_socket_ = -1;  // set while binding (see the constructor)
};

void Send(httplib::Response& out, const HttpResponse& response);

// Serves `route` (projections/runtime/http_answer.h) on `server`: the request's
// groups, parameters and headers in, the answer (or the event stream) out.
void Mount(httplib::Server& server, const projections::Route& route);

}  // namespace rapport::services
