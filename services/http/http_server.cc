#include "services/http/http_server.h"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include <spdlog/spdlog.h>

#include "services/process/bounded_task_queue.h"
#include "services/process/thread_name.h"

namespace rapport::services {

void Send(httplib::Response& out, const HttpResponse& response) {
  out.status = response.status;
  for (const auto& [name, value] : response.headers) out.set_header(name, value);
  out.set_content(response.body, response.content_type.c_str());
}

namespace {

projections::HttpRequest RequestOf(const httplib::Request& request) {
  projections::HttpRequest out;
  for (const auto& match : request.matches) out.matches.push_back(match.str());
  out.params.assign(request.params.begin(), request.params.end());
  out.header = [&request](const std::string& name) { return request.get_header_value(name); };
  return out;
}

void Stream(httplib::Response& response, projections::ChunkSource source) {
  response.set_header("Cache-Control", "no-cache");
  response.set_chunked_content_provider("text/event-stream",
                                        [source = std::move(source)](size_t, httplib::DataSink& sink) {
                                          std::optional<std::string> chunk = source();
                                          if (!chunk) {
                                            sink.done();
                                            return false;
                                          }
                                          return sink.write(chunk->data(), chunk->size());
                                        });
}

}  // namespace

void Mount(httplib::Server& server, const projections::Route& route) {
  server.Get(route.pattern, [route](const httplib::Request& request, httplib::Response& response) {
    const projections::HttpRequest in = RequestOf(request);
    if (route.answer) return Send(response, route.answer(in));
    auto source = route.stream(in);
    if (!source.ok()) return Send(response, ErrorResponse(source.status()));
    Stream(response, std::move(source).value());
  });
}

HttpServer::HttpServer(const GatewayLimits& limits) {
  server_.set_payload_max_length(static_cast<size_t>(limits.max_body_bytes));
  const int threads = std::max(2, limits.threads);
  // httplib's task-queue hook wants an owning raw pointer; the server deletes it.
  const auto pending = static_cast<size_t>(std::max(1, limits.max_pending_connections));
  server_.new_task_queue = [threads, pending] { return new BoundedTaskQueue(static_cast<size_t>(threads), pending); };
  server_.set_keep_alive_max_count(1000);
  // httplib writes a response's headers and body in two send()s: with Nagle's
  // algorithm the body waits for the client's delayed ACK (40 ms on Linux) on
  // every keep-alive request.
  server_.set_tcp_nodelay(true);
  server_.set_read_timeout(30, 0);
  // Debian's cpp-httplib listens with a backlog of 5. A burst of new connections
  // (16 clients connecting at once) overflowed it, and each dropped handshake waited
  // for the kernel's 1 s SYN retransmission (TcpExtListenOverflows): the ~1 s p999
  // of bench/http_load's query run. The listening socket is noted here and Start
  // listens on it again with a deeper backlog (Linux updates it in place).
  server_.set_socket_options([this](socket_t sock) {
    httplib::default_socket_options(sock);
    listen_socket_ = sock;
  });
  server_.set_exception_handler([](const httplib::Request& request, httplib::Response& response,
                                   std::exception_ptr error) {
    std::string what = "unexpected error";
    try {
      if (error) std::rethrow_exception(error);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    spdlog::error("http {} {}: {}", request.method, request.path, what);
    Send(response, ErrorResponse(Status::Internal(what)));
  });
  server_.set_error_handler([](const httplib::Request&, httplib::Response& response) {
    if (!response.body.empty()) return;
    Status status = response.status == 413 ? Status::ResourceExhausted("request body too large")
                    : response.status == 404 ? Status::NotFound("no such endpoint")
                                             : Status::InvalidArgument("", "bad request");
    const int code = response.status;
    Send(response, ErrorResponse(status));
    response.status = code;
  });
}

HttpServer::~HttpServer() { Stop(); }

void HttpServer::SetGate(std::shared_ptr<const RequestGate> gate) {
  server_.set_pre_routing_handler([gate = std::move(gate)](const httplib::Request& request,
                                                           httplib::Response& response) {
    const GateVerdict verdict = gate->Admit(
        request.method, request.path, [&request](const std::string& name) { return request.get_header_value(name); });
    if (!verdict.refusal) return httplib::Server::HandlerResponse::Unhandled;
    Send(response, *verdict.refusal);
    return httplib::Server::HandlerResponse::Handled;
  });
}

Status HttpServer::Start(const HostPort& address) {
  if (address.port == 0) {
    port_ = server_.bind_to_any_port(address.host.c_str());
  } else {
    port_ = server_.bind_to_port(address.host.c_str(), address.port) ? address.port : -1;
  }
  if (port_ <= 0) {
    return Status::Unavailable("cannot listen on " + address.host + ":" + std::to_string(address.port));
  }
  constexpr int kListenBacklog = 1024;  // the kernel caps it at net.core.somaxconn
  if (listen_socket_ >= 0 && ::listen(listen_socket_, kListenBacklog) != 0) {
    spdlog::warn("http: cannot deepen the listen backlog: {}", std::strerror(errno));
  }
  thread_ = std::thread([this] {
    NameThisThread("http-accept");
    server_.listen_after_bind();
  });
  return Status::Ok();
}

void HttpServer::Stop() {
  if (thread_.joinable()) {
    server_.stop();
    thread_.join();
  }
}

}  // namespace rapport::services
