// The HTTP server under many open connections: 2,000 idle keep-alive clients and
// 500 Server-Sent Events streams held open against the real platform, while new
// clients' queries still answer quickly (or get 503 quickly), and the process gains
// neither a thread per connection nor unbounded memory. Prints its figures
// ("http capacity: ...") for the notes.

#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <httplib.h>

#include "tests/support/admin_token.h"
#include "tests/support/embedded_platform.h"
#include "tests/support/raw_socket.h"
#include "tests/support/temp_dir.h"

namespace rapport {
namespace {

using testing::RawSocket;
using Clock = std::chrono::steady_clock;

// A field of /proc/self/status ("VmRSS", "Threads") as a number (kB for sizes).
long ProcStatus(const std::string& field) {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(field + ":", 0) == 0) return std::stol(line.substr(field.size() + 1));
  }
  return -1;
}

double SecondsSince(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

constexpr int kIdle = 2000;
constexpr int kStreams = 500;

TEST_CASE("2,000 idle connections and 500 alert streams held open while queries still answer", "[http][capacity]") {
  if (testing::RaiseOpenFileLimit() < 2 * (kIdle + kStreams) + 1000) {
    WARN("open file limit too low for this test; skipped");
    return;
  }
  testing::TempDir dir;
  auto platform = testing::StartReadyPlatform(testing::TestConfig(dir));
  const int port = platform->http_port();
  const std::string stream_request = "GET /v1/alerts/stream HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                                     testing::AdminToken(dir.path()) + "\r\n\r\n";
  const long rss_before = ProcStatus("VmRSS");
  const long threads_before = ProcStatus("Threads");

  auto start = Clock::now();
  std::vector<RawSocket> idle;
  for (int i = 0; i < kIdle; ++i) {
    auto socket = RawSocket::Connect(port);
    REQUIRE(socket);
    REQUIRE(socket->Send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
    REQUIRE(socket->ReadUntil("\"ok\"}", std::chrono::seconds(10)).find("200 OK") != std::string::npos);
    idle.push_back(std::move(*socket));
  }
  const double idle_seconds = SecondsSince(start);

  start = Clock::now();
  std::vector<RawSocket> streams;
  for (int i = 0; i < kStreams; ++i) {
    auto socket = RawSocket::Connect(port);
    REQUIRE(socket);
    REQUIRE(socket->Send(stream_request));
    const std::string head = socket->ReadUntil("\r\n\r\n", std::chrono::seconds(10));
    REQUIRE(head.find("text/event-stream") != std::string::npos);
    streams.push_back(std::move(*socket));
  }
  const double stream_seconds = SecondsSince(start);

  // New clients while all of them are open: each answered (200/404) or turned away
  // (503) within a second.
  double slowest = 0;
  int answered = 0;
  int busy = 0;
  for (int i = 0; i < 20; ++i) {
    httplib::Client client("127.0.0.1", port);
    client.set_read_timeout(5, 0);
    testing::UseAdminToken(client, dir.path());
    const auto asked = Clock::now();
    auto answer = client.Get(i % 2 ? "/healthz" : "/v1/customers/c-nobody");
    slowest = std::max(slowest, SecondsSince(asked));
    REQUIRE(answer);
    if (answer->status == 503) {
      ++busy;
    } else {
      CHECK((answer->status == 200 || answer->status == 404));
      ++answered;
    }
  }
  CHECK(slowest < 1.0);
  CHECK(answered + busy == 20);
  // The first stream was served first: its keep-alive comment arrives within ~1 s.
  CHECK(streams.front().ReadUntil(": keep-alive", std::chrono::seconds(5)).find(": keep-alive") != std::string::npos);
  // Every idle connection is still open and still answers.
  int still_open = 0;
  for (int i = 0; i < kIdle; i += 100) {
    if (idle[i].Send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n") &&
        idle[i].ReadUntil("\"ok\"}", std::chrono::seconds(5)).find("200 OK") != std::string::npos) {
      ++still_open;
    }
  }
  CHECK(still_open == kIdle / 100);

  const long rss_after = ProcStatus("VmRSS");
  const long threads_after = ProcStatus("Threads");
  CHECK(threads_after - threads_before < 20);  // no thread per connection
  std::printf("http capacity: %d idle connections opened in %.2f s, %d alert streams in %.2f s\n", kIdle,
              idle_seconds, kStreams, stream_seconds);
  std::printf("http capacity: %d queries while held: %d answered, %d busy (503), slowest %.1f ms\n", 20, answered,
              busy, slowest * 1000);
  std::printf("http capacity: RSS %.1f MiB before, %.1f MiB with them open (+%.1f MiB, client and server in one "
              "process); threads %ld before, %ld after\n",
              rss_before / 1024.0, rss_after / 1024.0, (rss_after - rss_before) / 1024.0, threads_before,
              threads_after);
  streams.clear();
  idle.clear();
  platform->Stop();
}

}  // namespace
}  // namespace rapport
