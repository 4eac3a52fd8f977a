// The event-driven HTTP server on its own (no Kafka): keep-alive, the gate before
// every route, the in-flight and connection caps, read deadlines, the access log,
// request ids, and the JSON errors clients saw before (404, 413, 400).

#include "services/http/http_server.h"

#include <httplib.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <condition_variable>
#include <fstream>
#include <future>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "services/http/request_target.h"
#include "tests/support/raw_socket.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait.h"

namespace rapport {
namespace {

using services::GatewayLimits;
using services::HttpRequest;
using services::HttpResponse;
using services::HttpServer;
using services::HttpSettings;
using testing::RawSocket;

const services::HostPort kLoopback{"127.0.0.1", 0};

httplib::Client ClientOf(const HttpServer& server) {
  httplib::Client client("127.0.0.1", server.port());
  client.set_read_timeout(10, 0);
  return client;
}

// Refuses /v1/secret with 403, names every caller "tester".
class TestGate final : public services::RequestGate {
 public:
  services::GateVerdict Admit(std::string_view, std::string_view path,
                              const projections::HeaderLookup& header) const override {
    ++asked;
    services::GateVerdict verdict{.refusal = std::nullopt, .credential_name = "tester"};
    if (path == "/v1/secret" || header("Authorization") == "Bearer wrong") {
      verdict.refusal = services::JsonResponse(403, {{"error", "forbidden"}, {"role", "admin"}});
    }
    return verdict;
  }
  mutable std::atomic<int> asked{0};
};

// Blocks its callers until Open().
class Latch {
 public:
  void Wait() {
    std::unique_lock lock(mutex_);
    opened_.wait(lock, [&] { return open_; });
  }
  void Open() {
    std::lock_guard lock(mutex_);
    open_ = true;
    opened_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable opened_;
  bool open_ = false;
};

// /healthz answering {"status":"ok"}: what most cases below ask while testing
// something else.
void AddHealth(HttpServer& server) {
  server.Get("/healthz", [](const HttpRequest&) { return services::JsonResponse(200, {{"status", "ok"}}); });
}

// AddHealth, then serving on loopback.
void ServeHealth(HttpServer& server) {
  AddHealth(server);
  REQUIRE(server.Start(kLoopback).ok());
}

TEST_CASE("routes answer GET and POST with groups, query parameters in order, headers and body", "[http]") {
  HttpServer server(GatewayLimits{});
  server.Get(R"(/v1/things/([^/]+))", [](const HttpRequest& request) {
    nlohmann::json params = nlohmann::json::array();
    for (const auto& [name, value] : request.params) params.push_back({name, value});
    return services::JsonResponse(
        200, {{"id", request.matches[1]}, {"params", params}, {"h", request.header("X-Thing")}});
  });
  server.Post("/v1/echo", [](const HttpRequest& request) {
    return HttpResponse{201, request.method + ":" + request.body, "text/plain"};
  });
  REQUIRE(server.Start(kLoopback).ok());
  auto client = ClientOf(server);

  auto got = client.Get("/v1/things/a%20b?x=1&y=two%20words&x=3", httplib::Headers{{"X-Thing", "yes"}});
  REQUIRE(got);
  CHECK(got->status == 200);
  const auto body = nlohmann::json::parse(got->body);
  CHECK(body["id"] == "a b");
  CHECK(body["params"] == nlohmann::json::parse(R"([["x","1"],["y","two words"],["x","3"]])"));
  CHECK(body["h"] == "yes");

  auto posted = client.Post("/v1/echo", "hello", "text/plain");
  REQUIRE(posted);
  CHECK(posted->status == 201);
  CHECK(posted->body == "POST:hello");

  // As cpp-httplib decoded them: '+' is a space in the query, not in the path.
  const services::RequestTarget target = services::ParseRequestTarget("/a+b%2Fc?q=x+y%26z&flag&=v&&e=");
  CHECK(target.path == "/a+b/c");
  CHECK(target.params == services::QueryParams{{"q", "x y&z"}, {"flag", ""}, {"e", ""}});
  CHECK(target.error.ok());
  // A bad escape is an error naming where it is, answered 400 after the gate.
  CHECK(services::ParseRequestTarget("/a%zz").error.field() == "path");
  CHECK(services::ParseRequestTarget("/a?tier=%4").error.field() == "tier");
  auto socket = RawSocket::Connect(server.port());  // sent as written, not re-encoded
  REQUIRE(socket);
  REQUIRE(socket->Send("GET /v1/things/a?q=%zz HTTP/1.1\r\nHost: x\r\n\r\n"));
  const std::string answer = socket->ReadUntil("}", std::chrono::seconds(5));
  CHECK(answer.rfind("HTTP/1.1 400", 0) == 0);
  CHECK(answer.find("bad percent-escape") != std::string::npos);
}

TEST_CASE("unknown paths are 404, other methods 400, both with the JSON error", "[http]") {
  HttpServer server(GatewayLimits{});
  ServeHealth(server);
  auto client = ClientOf(server);
  auto missing = client.Get("/nowhere");
  REQUIRE(missing);
  CHECK(missing->status == 404);
  CHECK(nlohmann::json::parse(missing->body)["reason"] == "no such endpoint");
  auto posted = client.Post("/healthz", "x", "text/plain");  // GET-only path
  REQUIRE(posted);
  CHECK(posted->status == 404);
  auto deleted = client.Delete("/healthz");
  REQUIRE(deleted);
  CHECK(deleted->status == 400);
  CHECK(nlohmann::json::parse(deleted->body)["error"] == "invalid_argument");
}

TEST_CASE("a body over gateway.max_body_bytes gets 413 with the JSON error", "[http]") {
  GatewayLimits limits;
  limits.max_body_bytes = 1000;
  HttpServer server(limits);
  server.Post("/v1/events", [](const HttpRequest&) { return HttpResponse{202, "{}"}; });
  REQUIRE(server.Start(kLoopback).ok());
  auto client = ClientOf(server);
  auto small = client.Post("/v1/events", std::string(1000, 'x'), "application/x-ndjson");
  REQUIRE(small);
  CHECK(small->status == 202);
  auto large = client.Post("/v1/events", std::string(200'000, 'x'), "application/x-ndjson");
  REQUIRE(large);
  CHECK(large->status == 413);
  CHECK(nlohmann::json::parse(large->body)["reason"] == "request body too large");
}

TEST_CASE("keep-alive: many requests travel over one connection", "[http]") {
  HttpServer server(GatewayLimits{});
  ServeHealth(server);
  auto socket = RawSocket::Connect(server.port());
  REQUIRE(socket);
  for (int i = 0; i < 20; ++i) {
    REQUIRE(socket->Send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
    const std::string answer = socket->ReadUntil("{\"status\":\"ok\"}", std::chrono::seconds(5));
    REQUIRE(answer.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
  }
  CHECK_FALSE(socket->closed());
}

TEST_CASE("the gate is asked before every route and its refusal is sent as it is", "[http]") {
  HttpServer server(GatewayLimits{});
  std::atomic<int> handled{0};
  server.Get("/v1/secret", [&](const HttpRequest&) {
    ++handled;
    return services::JsonResponse(200, {});
  });
  server.Get("/v1/open", [&](const HttpRequest&) {
    ++handled;
    return services::JsonResponse(200, {});
  });
  auto gate = std::make_shared<TestGate>();
  server.SetGate(gate);
  REQUIRE(server.Start(kLoopback).ok());
  auto client = ClientOf(server);
  auto refused = client.Get("/v1/secret");
  REQUIRE(refused);
  CHECK(refused->status == 403);
  CHECK(nlohmann::json::parse(refused->body)["role"] == "admin");
  CHECK(client.Get("/v1/open")->status == 200);
  CHECK(client.Get("/v1/open", httplib::Headers{{"Authorization", "Bearer wrong"}})->status == 403);
  CHECK(client.Get("/nowhere")->status == 404);
  CHECK(gate->asked == 4);
  CHECK(handled == 1);
}

TEST_CASE("past the in-flight cap a request gets 503 with Retry-After at once", "[http]") {
  GatewayLimits limits;
  limits.threads = 2;
  limits.max_pending_connections = 2;  // requests in flight
  HttpServer server(limits);
  Latch release;
  std::atomic<int> waiting{0};
  server.Get("/slow", [&](const HttpRequest&) {
    ++waiting;
    release.Wait();
    return services::JsonResponse(200, {{"slow", true}});
  });
  REQUIRE(server.Start(kLoopback).ok());
  auto first = std::async(std::launch::async, [&] { return ClientOf(server).Get("/slow"); });
  auto second = std::async(std::launch::async, [&] { return ClientOf(server).Get("/slow"); });
  REQUIRE(testing::WaitFor([&] { return waiting == 2; }, std::chrono::seconds(10)));

  const auto start = std::chrono::steady_clock::now();
  auto third = ClientOf(server).Get("/slow");
  const auto took = std::chrono::steady_clock::now() - start;
  REQUIRE(third);
  CHECK(third->status == 503);
  CHECK(third->get_header_value("Retry-After") == "1");
  CHECK(nlohmann::json::parse(third->body)["error"] == "unavailable");
  CHECK(took < std::chrono::milliseconds(500));

  release.Open();
  CHECK(first.get()->status == 200);
  CHECK(second.get()->status == 200);
  CHECK(ClientOf(server).Get("/slow")->status == 200);  // room again
}

TEST_CASE("past the connection cap a new connection is refused at once", "[http]") {
  HttpServer server(GatewayLimits{}, HttpSettings{.max_connections = 4});
  ServeHealth(server);
  std::vector<RawSocket> held;
  for (int i = 0; i < 4; ++i) {
    auto socket = RawSocket::Connect(server.port());
    REQUIRE(socket);
    REQUIRE(socket->Send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
    REQUIRE(socket->ReadUntil("\"ok\"}", std::chrono::seconds(5)).find("200 OK") != std::string::npos);
    held.push_back(std::move(*socket));
  }
  auto extra = RawSocket::Connect(server.port());
  REQUIRE(extra);
  const auto start = std::chrono::steady_clock::now();
  const std::string answer = extra->ReadUntil("\r\n\r\n", std::chrono::seconds(5));
  CHECK(answer.rfind("HTTP/1.1 503", 0) == 0);
  CHECK(extra->ClosedWithin(std::chrono::seconds(2)));
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(1));

  held.pop_back();  // one leaves: the next is served
  REQUIRE(testing::WaitFor(
      [&] {
        auto next = RawSocket::Connect(server.port());
        return next && next->Send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n") &&
               next->ReadUntil("\"ok\"}", std::chrono::seconds(2)).find("200 OK") != std::string::npos;
      },
      std::chrono::seconds(5)));
}

TEST_CASE("a client that sends one byte a second is dropped at the header deadline", "[http]") {
  HttpServer server(GatewayLimits{}, HttpSettings{.header_timeout_ms = 2000});
  ServeHealth(server);
  auto slow = RawSocket::Connect(server.port());
  REQUIRE(slow);
  const std::string request = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
  const auto start = std::chrono::steady_clock::now();
  size_t sent = 0;
  bool dropped = false;
  for (; sent < request.size(); ++sent) {
    if (!slow->Send(request.substr(sent, 1))) break;
    if (slow->ClosedWithin(std::chrono::seconds(1))) {
      dropped = true;
      break;
    }
  }
  const auto lasted = std::chrono::steady_clock::now() - start;
  CHECK(dropped);
  CHECK(sent < request.size());
  CHECK(lasted >= std::chrono::milliseconds(1900));
  CHECK(lasted < std::chrono::milliseconds(4500));
  CHECK(ClientOf(server).Get("/healthz")->status == 200);  // others were served meanwhile
}

TEST_CASE("a body trickled slower than the body deadline is dropped", "[http]") {
  HttpServer server(GatewayLimits{}, HttpSettings{.body_timeout_ms = 1500});
  std::atomic<int> handled{0};
  server.Post("/v1/events", [&](const HttpRequest&) {
    ++handled;
    return HttpResponse{202, "{}"};
  });
  REQUIRE(server.Start(kLoopback).ok());
  auto slow = RawSocket::Connect(server.port());
  REQUIRE(slow);
  REQUIRE(slow->Send("POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nab"));
  const auto start = std::chrono::steady_clock::now();
  bool dropped = false;
  for (int i = 0; i < 10 && !dropped; ++i) {
    slow->Send("c");
    dropped = slow->ClosedWithin(std::chrono::milliseconds(500));
  }
  CHECK(dropped);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(3));
  CHECK(handled == 0);
}

TEST_CASE("an idle keep-alive connection is closed after the idle deadline", "[http]") {
  HttpServer server(GatewayLimits{}, HttpSettings{.idle_timeout_ms = 1000});
  ServeHealth(server);
  auto socket = RawSocket::Connect(server.port());
  REQUIRE(socket);
  REQUIRE(socket->Send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  REQUIRE(socket->ReadUntil("\"ok\"}", std::chrono::seconds(5)).find("200 OK") != std::string::npos);
  CHECK_FALSE(socket->ClosedWithin(std::chrono::milliseconds(500)));
  CHECK(socket->ClosedWithin(std::chrono::seconds(2)));
}

TEST_CASE("the access log has one JSON line per request; the request id is echoed or made", "[http]") {
  testing::TempDir dir;
  HttpSettings settings;
  settings.access_log = (dir.path() / "access.log").string();
  HttpServer server(GatewayLimits{}, settings);
  server.Get(R"(/v1/customers/([^/]+))", [](const HttpRequest& request) {
    return services::JsonResponse(200, {{"id", request.matches[1]}});
  });
  server.SetGate(std::make_shared<TestGate>());
  REQUIRE(server.Start(kLoopback).ok());
  auto client = ClientOf(server);
  auto given = client.Get("/v1/customers/c-1", httplib::Headers{{"X-Request-Id", "req-42"}});
  REQUIRE(given);
  CHECK(given->get_header_value("X-Request-Id") == "req-42");
  auto made = client.Get("/v1/secret");
  REQUIRE(made);
  const std::string made_id = made->get_header_value("X-Request-Id");
  CHECK(made_id.size() == 32);

  std::vector<nlohmann::json> lines;
  REQUIRE(testing::WaitFor(
      [&] {
        lines.clear();
        std::ifstream in(settings.access_log);
        for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));
        return lines.size() == 2;
      },
      std::chrono::seconds(5)));
  const auto& first = lines[0];
  CHECK(first["request_id"] == "req-42");
  CHECK(first["credential"] == "tester");
  CHECK(first["method"] == "GET");
  CHECK(first["path"] == "/v1/customers/c-1");
  CHECK(first["route"] == R"(/v1/customers/([^/]+))");
  CHECK(first["status"] == 200);
  CHECK(first["bytes"] == given->body.size());
  CHECK(first["duration_ms"].get<double>() >= 0);
  CHECK(first["time"].get<std::string>().size() >= 20);
  CHECK(first["remote"] == "127.0.0.1");
  CHECK(lines[1]["request_id"] == made_id);
  CHECK(lines[1]["status"] == 403);
  CHECK(lines[1]["route"] == "");
}

TEST_CASE("a stream is sent in chunks as its source gives them, while other requests answer", "[http]") {
  HttpServer server(GatewayLimits{});
  AddHealth(server);
  projections::Route stream{"/v1/stream", nullptr,
                            [](const HttpRequest&) -> Result<projections::ChunkSource> {
                              auto count = std::make_shared<int>(0);
                              return projections::ChunkSource([count]() -> std::optional<std::string> {
                                std::this_thread::sleep_for(std::chrono::milliseconds(200));
                                if (++*count > 3) return std::nullopt;
                                return "data: " + std::to_string(*count) + "\n\n";
                              });
                            }};
  server.Mount(stream);
  REQUIRE(server.Start(kLoopback).ok());
  auto client = ClientOf(server);
  std::string received;
  auto streamed = client.Get("/v1/stream", [&](const char* data, size_t size) {
    received.append(data, size);
    return true;
  });
  REQUIRE(streamed);
  CHECK(streamed->status == 200);
  CHECK(streamed->get_header_value("Content-Type") == "text/event-stream");
  CHECK(received == "data: 1\n\ndata: 2\n\ndata: 3\n\n");
}

TEST_CASE("a plain listen on a non-loopback address is refused unless insecure_http", "[http]") {
  HttpServer refused(GatewayLimits{});
  const Status status = refused.Start(services::HostPort{"0.0.0.0", 0});
  CHECK(status.code() == StatusCode::kInvalidArgument);
  CHECK(status.ToString().find("--insecure-http") != std::string::npos);
  HttpSettings insecure;
  insecure.insecure_http = true;
  HttpServer allowed(GatewayLimits{}, insecure);
  CHECK(allowed.Start(services::HostPort{"0.0.0.0", 0}).ok());
}

}  // namespace
}  // namespace rapport
