#pragma once
// The HTTP listener shared by the gateway, the query API and the health checks: an
// event-driven server (Boost.Beast over Asio). A connection, idle or streaming
// Server-Sent Events, costs a socket and a timer; handlers run on a small pool
// (GatewayLimits::threads) and stream chunks are awaited on another
// (HttpSettings::stream_threads), so neither ever blocks the socket threads.
//
// Limits: open connections (http.max_connections; more are refused at once),
// requests in flight (gateway.max_pending_connections; more get 503 with
// Retry-After), body size (gateway.max_body_bytes; 413), header, body, idle and
// write deadlines (http.*_timeout_ms; a client that trickles bytes is dropped).
// Every request asks the gate (SetGate) before its route; every answered request is
// one line of the access log (http.access_log) and echoes its X-Request-Id.
//
// Lifecycle: construct, add routes, SetGate, Start (binds, loads TLS, serves on its
// own threads), Stop (or destroy). Routes and the gate are fixed once started.

#include <memory>
#include <string>
#include <vector>

#include "events/status.h"
#include "services/config/config.h"
#include "services/http/http_response.h"
#include "services/http/request_gate.h"
#include "services/http/route_table.h"

namespace rapport::services {

struct ServerCore;  // services/http/server_core.h

class HttpServer {
 public:
  explicit HttpServer(const GatewayLimits& limits, const HttpSettings& settings = {});
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // `pattern` is literal path text and `([^/]+)` groups over the whole path
  // (route_table.h); groups become HttpRequest::matches. The first matching route
  // added wins.
  void Get(const std::string& pattern, RouteHandler handler);
  void Post(const std::string& pattern, RouteHandler handler);
  // A projection's route (projections/runtime/http_answer.h): an answer or a stream.
  void Mount(const projections::Route& route);
  // Every request asks `gate` first (before Start); a refusal is answered as it is.
  // Without a gate every request reaches its route.
  void SetGate(std::shared_ptr<const RequestGate> gate);
  // Every route added, in order: method and pattern (the access layer's route table
  // must have a line for each).
  struct MountedRoute {
    std::string method;
    std::string pattern;
  };
  std::vector<MountedRoute> Routes() const;

  // Binds host:port (port 0 picks a free one) and starts serving: HTTPS only when
  // settings name a certificate and key. Errors name the setting at fault.
  Status Start(const HostPort& address);
  void Stop();
  int port() const { return port_; }
  bool tls() const;

 private:
  struct Running;
  std::unique_ptr<ServerCore> core_;
  std::unique_ptr<Running> running_;
  int port_ = 0;
};

}  // namespace rapport::services
