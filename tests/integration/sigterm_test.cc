// SIGTERM while events stream in: the real `rapport up` binary finishes the
// requests and batches in flight, flushes and commits, and exits 0; started again on
// the same data dir, every event it acknowledged (202) is in the customer views,
// exactly once.

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <thread>

#include <catch2/catch.hpp>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "tests/support/admin_token.h"
#include "tests/support/json_events.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait.h"

#ifndef RAPPORT_BINARY
#error "RAPPORT_BINARY must name the rapport executable (tests/CMakeLists.txt)"
#endif

namespace rapport {
namespace {

// A `rapport up` child process; SIGKILLed if the test leaves it running.
class RapportProcess {
 public:
  explicit RapportProcess(const testing::TempDir& dir) : log_(dir.path() / ("rapport-" + std::to_string(++runs_) + ".log")) {
    const std::string data = (dir.path() / "data").string();
    pid_ = fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      int fd = open(log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      dup2(fd, 1);
      dup2(fd, 2);
      execl(RAPPORT_BINARY, RAPPORT_BINARY, "up", "--data-dir", data.c_str(), "--listen", "127.0.0.1:0", nullptr);
      _exit(127);
    }
    // The banner names the port it picked.
    const std::regex http("HTTP: +http://127\\.0\\.0\\.1:([0-9]+)");
    REQUIRE(testing::WaitFor([&] {
      std::ifstream in(log_);
      std::stringstream text;
      text << in.rdbuf();
      std::smatch match;
      const std::string s = text.str();
      if (!std::regex_search(s, match, http)) return false;
      port_ = std::stoi(match[1]);
      return true;
    }));
  }
  ~RapportProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  int port() const { return port_; }
  // Sends SIGTERM and returns the exit status.
  int Terminate() {
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

 private:
  static inline int runs_ = 0;
  std::filesystem::path log_;
  pid_t pid_ = -1;
  int port_ = 0;
};

struct Folded {
  int64_t purchases = 0;
  int64_t revenue = 0;
};

TEST_CASE("SIGTERM mid-stream loses nothing acknowledged", "[integration][sigterm]") {
  testing::TempDir dir;
  std::map<std::string, Folded> fold;  // of acknowledged events
  int acknowledged = 0;
  {
    RapportProcess rapport(dir);
    httplib::Client client("127.0.0.1", rapport.port());
    client.set_read_timeout(30, 0);
    testing::UseAdminToken(client, dir.path() / "data");
    REQUIRE(testing::WaitFor([&] {
      auto r = client.Get("/readyz");
      return r && r->status == 200;
    }));
    std::atomic<bool> stop{false};
    std::thread poster([&] {
      httplib::Client c("127.0.0.1", rapport.port());
      c.set_read_timeout(30, 0);
      testing::UseAdminToken(c, dir.path() / "data");
      for (int b = 0; !stop; ++b) {
        std::string body;
        std::map<std::string, Folded> batch;
        for (int i = 0; i < 50; ++i) {
          const std::string customer = "t-" + std::to_string((b * 50 + i) % 30);
          const int amount = 1 + (b * 7 + i) % 500;
          batch[customer].purchases += 1;
          batch[customer].revenue += amount;
          body += testing::PurchaseLine("s-" + std::to_string(b) + "-" + std::to_string(i), customer,
                                        1'772'359'200'000 + b * 1000 + i, "o", amount);
        }
        auto response = c.Post("/v1/events", body, "application/x-ndjson");
        if (!response) break;  // the server went away: this batch was not acknowledged
        if (response->status != 202) continue;
        for (const auto& [customer, f] : batch) {
          fold[customer].purchases += f.purchases;
          fold[customer].revenue += f.revenue;
        }
        acknowledged += 50;
      }
    });
    testing::WaitFor([&] { return acknowledged >= 3000; });
    CHECK(rapport.Terminate() == 0);
    stop = true;
    poster.join();
  }
  INFO(acknowledged << " events acknowledged before SIGTERM");
  REQUIRE(acknowledged >= 3000);

  RapportProcess rapport(dir);
  httplib::Client client("127.0.0.1", rapport.port());
  client.set_read_timeout(30, 0);
  testing::UseAdminToken(client, dir.path() / "data");
  // Every acknowledged event is there once. The one batch in flight at the signal
  // may be there too (published, its 202 lost with the connection): all or nothing.
  int64_t excess = -1;
  auto settled = [&] {
    int64_t extra = 0;
    for (const auto& [customer, expected] : fold) {
      auto response = client.Get(("/v1/customers/" + customer).c_str());
      if (!response || response->status != 200) return false;
      auto json = nlohmann::json::parse(response->body);
      const int64_t purchases = json["purchases"].get<int64_t>();
      if (purchases < expected.purchases || json["revenue"].get<int64_t>() < expected.revenue) return false;
      extra += purchases - expected.purchases;
    }
    excess = extra;
    return true;
  };
  CHECK(testing::WaitFor(settled, std::chrono::seconds(60)));
  CHECK((excess == 0 || excess == 50));
  WARN(acknowledged << " events acknowledged before SIGTERM; " << excess << " more applied (the batch in flight)");
  CHECK(rapport.Terminate() == 0);
}

}  // namespace
}  // namespace rapport
