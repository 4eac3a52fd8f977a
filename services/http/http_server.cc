#include "services/http/http_server.h"

#include <sys/socket.h>

#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <spdlog/spdlog.h>

#include "services/http/listen_policy.h"
#include "services/http/server_core.h"
#include "services/process/thread_name.h"

namespace rapport::services {

namespace net = boost::asio;
using net::ip::tcp;

namespace {

// Debian's cpp-httplib listened with a backlog of 5, and a burst of new connections
// overflowed it (each dropped handshake waited for the kernel's 1 s SYN
// retransmission). The kernel caps this at net.core.somaxconn.
constexpr int kListenBacklog = 1024;

// What a refused connection reads before the close (plain HTTP only: TLS would need
// a handshake, which is what refusing saves).
constexpr std::string_view kTooManyConnections =
    "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 1\r\n"
    "Connection: close\r\nContent-Length: 78\r\n\r\n"
    R"({"error":"unavailable","field":"","reason":"too many open connections; retry"})";

Result<std::unique_ptr<net::ssl::context>> TlsContext(const HttpSettings& settings) {
  auto context = std::make_unique<net::ssl::context>(net::ssl::context::tls_server);
  context->set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                       net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 | net::ssl::context::no_tlsv1_1 |
                       net::ssl::context::single_dh_use);
  boost::system::error_code ec;
  context->use_certificate_chain_file(settings.tls_cert, ec);
  if (ec) return Status::InvalidArgument("http.tls_cert", settings.tls_cert + ": " + ec.message());
  context->use_private_key_file(settings.tls_key, net::ssl::context::pem, ec);
  if (ec) return Status::InvalidArgument("http.tls_key", settings.tls_key + ": " + ec.message());
  return context;
}

}  // namespace

struct HttpServer::Running {
  net::io_context io;
  // The acceptor and its retry timer share a strand: Stop closes it from there.
  tcp::acceptor acceptor{net::make_strand(io)};
  net::steady_timer retry{acceptor.get_executor()};  // after an accept error (out of file descriptors)
  std::unique_ptr<net::ssl::context> tls;
  std::vector<std::thread> threads;

  void Accept(ServerCore& core) {
    acceptor.async_accept(net::make_strand(io), [this, &core](boost::system::error_code ec, tcp::socket socket) {
      if (ec == net::error::operation_aborted || !acceptor.is_open()) return;
      if (ec) {
        spdlog::warn("http: accept: {}", ec.message());
        retry.expires_after(std::chrono::milliseconds(100));
        return retry.async_wait([this, &core](boost::system::error_code e) {
          if (!e) Accept(core);
        });
      }
      if (core.connections.fetch_add(1) >= std::max(1, core.settings.max_connections)) {
        core.connections.fetch_sub(1);
        Refuse(std::move(socket));
      } else {
        StartSession(std::move(socket), core, tls.get());
      }
      Accept(core);
    });
  }

  void Refuse(tcp::socket socket) {
    boost::system::error_code ignored;
    if (!tls) {
      socket.non_blocking(true, ignored);
      socket.write_some(net::buffer(kTooManyConnections), ignored);
    }
    socket.close(ignored);
  }
};

HttpServer::HttpServer(const GatewayLimits& limits, const HttpSettings& settings)
    : core_(std::make_unique<ServerCore>(limits, settings)) {}

HttpServer::~HttpServer() { Stop(); }

void HttpServer::Get(const std::string& pattern, RouteHandler handler) {
  core_->routes.Add("GET", pattern, std::move(handler));
}

void HttpServer::Post(const std::string& pattern, RouteHandler handler) {
  core_->routes.Add("POST", pattern, std::move(handler));
}

void HttpServer::Mount(const projections::Route& route) {
  core_->routes.Add("GET", route.pattern, route.answer, route.stream);
}

void HttpServer::SetGate(std::shared_ptr<const RequestGate> gate) { core_->gate = std::move(gate); }

std::vector<HttpServer::MountedRoute> HttpServer::Routes() const {
  std::vector<MountedRoute> out;
  for (const RouteEntry& entry : core_->routes.entries()) out.push_back({entry.method, entry.pattern});
  return out;
}

bool HttpServer::tls() const { return running_ && running_->tls; }

Status HttpServer::Start(const HostPort& address) {
  const HttpSettings& settings = core_->settings;
  RAPPORT_RETURN_IF_ERROR(CheckListenPolicy(address, settings));
  auto running = std::make_unique<Running>();
  if (UsesTls(settings)) {
    auto tls = TlsContext(settings);
    if (!tls.ok()) return tls.status();
    running->tls = std::move(tls).value();
  }
  if (!settings.access_log.empty()) {
    auto log = AccessLog::Open(settings.access_log);
    if (!log.ok()) return log.status();
    core_->access_log = std::move(log).value();
  }
  const std::string where = address.host + ":" + std::to_string(address.port);
  boost::system::error_code ec;
  tcp::resolver resolver(running->io);
  auto endpoints = resolver.resolve(address.host, std::to_string(address.port), tcp::resolver::passive, ec);
  if (ec || endpoints.empty()) return Status::Unavailable("cannot listen on " + where + ": " + ec.message());
  const tcp::endpoint endpoint = endpoints.begin()->endpoint();
  auto& acceptor = running->acceptor;
  if (acceptor.open(endpoint.protocol(), ec); !ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(kListenBacklog, ec);
  if (ec) return Status::Unavailable("cannot listen on " + where + ": " + ec.message());
  port_ = acceptor.local_endpoint().port();

  core_->handlers = std::make_unique<net::thread_pool>(static_cast<size_t>(std::max(1, core_->limits.threads)));
  core_->streams = std::make_unique<net::thread_pool>(static_cast<size_t>(std::max(1, settings.stream_threads)));
  running->Accept(*core_);
  for (int i = 0; i < std::max(1, settings.io_threads); ++i) {
    running->threads.emplace_back([io = &running->io] {
      NameThisThread("http-io");
      io->run();
    });
  }
  running_ = std::move(running);
  return Status::Ok();
}

// Stops accepting, lets the pools finish what runs (stream waits end within ~1 s),
// then ends the socket threads and drops every connection.
void HttpServer::Stop() {
  if (!running_) return;
  core_->stopping = true;
  net::post(running_->acceptor.get_executor(), [running = running_.get()] {
    boost::system::error_code ignored;
    running->acceptor.close(ignored);
    running->retry.cancel();
  });
  core_->handlers->stop();
  core_->streams->stop();
  core_->handlers->join();
  core_->streams->join();
  // Answers of handlers that finished are written before the sockets close.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (core_->answers_due > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  running_->io.stop();
  for (auto& thread : running_->threads) thread.join();
  // Tasks the pools never ran hold sessions: drop them while their sockets' context
  // still exists, then the context with the pending socket operations.
  core_->handlers.reset();
  core_->streams.reset();
  running_.reset();
}

}  // namespace rapport::services
