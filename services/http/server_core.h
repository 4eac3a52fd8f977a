#pragma once
// What every connection of one HttpServer shares (internal to services/http): the
// routes, the gate, the access log, the limits, the thread pools that run handlers
// and wait for stream chunks, and the counters the limits are checked against.
// Built by HttpServer before it accepts; sessions only read it (and the atomics).

#include <atomic>
#include <memory>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/thread_pool.hpp>

#include "services/config/config.h"
#include "services/http/access_log.h"
#include "services/http/request_gate.h"
#include "services/http/route_table.h"

namespace rapport::services {

struct ServerCore {
  ServerCore(const GatewayLimits& l, const HttpSettings& s) : limits(l), settings(s) {}

  const GatewayLimits limits;
  const HttpSettings settings;
  RouteTable routes;
  std::shared_ptr<const RequestGate> gate;   // null: every request reaches its route
  std::unique_ptr<AccessLog> access_log;     // null: no access log
  std::unique_ptr<boost::asio::thread_pool> handlers;  // runs the gate and the routes
  std::unique_ptr<boost::asio::thread_pool> streams;   // waits for Server-Sent Events chunks
  std::atomic<int> connections{0};
  std::atomic<int> in_flight{0};  // requests queued for or inside a handler
  std::atomic<int> answers_due{0};  // handlers done whose answer is not written yet (Stop waits)
  std::atomic<bool> stopping{false};
};

// Serves one accepted connection until it closes (TLS first when `tls` is set). The
// session keeps itself alive through its pending operations.
void StartSession(boost::asio::ip::tcp::socket socket, ServerCore& core, boost::asio::ssl::context* tls);

}  // namespace rapport::services
