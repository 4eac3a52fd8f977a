// Peak memory of `rapport up` at scale: starts the binary (its own process, its own
// temp data directory), posts CUSTOMERS customers of EVENTS events each (a
// registration, then purchases) as NDJSON batches of 1,000 from 2 clients, waits
// until every projector has applied every event, and prints the process's VmHWM
// (peak RSS) and VmRSS as it goes and at the end.
//   up_rss_bench RAPPORT_BINARY [CUSTOMERS=1000000] [EVENTS=2] [-- extra `rapport up` args]

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "bench/bench_util.h"
#include "bench/platform_status.h"
#include "events/json_codec.h"
#include "events/time_format.h"
#include "tests/support/temp_dir.h"

extern char** environ;

namespace {

using namespace rapport;

// kB of a "Vm...:" line of /proc/<pid>/status, 0 when unreadable.
long StatusKib(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::atol(line.c_str() + field.size() + 1);
  }
  return 0;
}

// Customer c's events: registered on a day of the year, then purchases a few days apart.
std::string CustomerNdjson(int c, int events_each) {
  const int64_t start_ms = 1735689600000;  // 2025-01-01
  const int64_t day = events::kMillisPerDay;
  const int64_t registered_at = start_ms + (c % 300) * day + (c % 86'400) * 1000;
  const std::string id = "rss-" + std::to_string(c);
  events::Event registered;
  registered.event_id = EventId(id + "-0");
  registered.customer_id = CustomerId(id);
  registered.occurred_at_ms = registered_at;
  registered.channel = events::Channel::kWeb;
  events::CustomerRegistered profile;
  profile.display_name = "Customer " + std::to_string(c);
  profile.email = id + "@example.com";
  profile.region = "region-" + std::to_string(c % 20);
  registered.payload = profile;
  std::string out = events::EncodeJsonEvent(registered) + "\n";
  for (int i = 1; i < events_each; ++i) {
    events::Event purchase = registered;
    purchase.event_id = EventId(id + "-" + std::to_string(i));
    purchase.occurred_at_ms = registered_at + i * 7 * day;
    purchase.payload = events::Purchase{"o-" + id + "-" + std::to_string(i), 1000 + (c % 97) * 100, 400, "EUR", 1,
                                        "shoes"};
    out += events::EncodeJsonEvent(purchase) + "\n";
  }
  return out;
}

struct Child {
  pid_t pid = -1;
  ~Child() {
    if (pid > 0) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
  }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return std::fprintf(stderr, "usage: up_rss_bench RAPPORT_BINARY [CUSTOMERS] [EVENTS] [-- args]\n"), 2;
  const std::string binary = argv[1];
  int arg = 2;
  const int customers = arg < argc && std::string(argv[arg]) != "--" ? std::atoi(argv[arg++]) : 1'000'000;
  const int events_each = std::max(1, arg < argc && std::string(argv[arg]) != "--" ? std::atoi(argv[arg++]) : 2);
  std::vector<std::string> extra;
  if (arg < argc && std::string(argv[arg]) == "--") {
    for (++arg; arg < argc; ++arg) extra.push_back(argv[arg]);
  }
  const int64_t total = static_cast<int64_t>(customers) * events_each;

  testing::TempDir dir;
  const auto log_path = dir.path() / "up.log";
  std::vector<std::string> args = {binary, "up", "--data-dir", (dir.path() / "data").string(), "--listen",
                                   "127.0.0.1:0"};
  args.insert(args.end(), extra.begin(), extra.end());
  std::vector<char*> raw;
  for (auto& a : args) raw.push_back(a.data());
  raw.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  Child child;
  if (posix_spawn(&child.pid, raw[0], &actions, nullptr, raw.data(), environ) != 0) {
    return std::fprintf(stderr, "cannot start %s\n", binary.c_str()), 1;
  }
  posix_spawn_file_actions_destroy(&actions);

  int port = 0;
  for (int i = 0; i < 1200 && port == 0; ++i) {
    std::ifstream in(log_path);
    std::stringstream text;
    text << in.rdbuf();
    std::smatch match;
    const std::string s = text.str();
    if (std::regex_search(s, match, std::regex("HTTP: *http://127\\.0\\.0\\.1:([0-9]+)"))) port = std::stoi(match[1]);
    if (port == 0) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (port == 0) return std::fprintf(stderr, "rapport up did not start; see %s\n", log_path.c_str()), 1;
  std::printf("rapport up (pid %d) on port %d, start RSS %ld MiB; %d customers x %d events\n", child.pid, port,
              StatusKib(child.pid, "VmRSS") / 1024, customers, events_each);
  std::fflush(stdout);

  // The peak is the kernel's VmHWM; a progress line every 10 s.
  httplib::Client status_client("127.0.0.1", port);
  const std::string token = bench::AdminToken(dir.path() / "data");
  auto applied_min = [&] { return bench::ProjectorsDone(status_client); };

  const auto start = bench::Clock::now();
  std::atomic<int> next_batch{0};
  std::atomic<int64_t> failures{0};
  std::atomic<int> posters_left{2};
  std::atomic<int64_t> posted_ms{0};  // when the last poster finished: the gateway's rate
  const int per_batch = std::max(1, 1000 / events_each);  // customers a batch: ~1,000 events
  const int batches = (customers + per_batch - 1) / per_batch;
  std::vector<std::thread> posters;
  for (int t = 0; t < 2; ++t) {
    posters.emplace_back([&] {
      httplib::Client client("127.0.0.1", port);
      client.set_read_timeout(120, 0);
      client.set_bearer_token_auth(token);
      for (int b = next_batch++; b < batches; b = next_batch++) {
        std::string body;
        for (int c = b * per_batch; c < std::min(customers, (b + 1) * per_batch); ++c) body += CustomerNdjson(c, events_each);
        auto response = client.Post("/v1/events", body, "application/x-ndjson");
        if (!response || response->status != 202) ++failures;
      }
      if (--posters_left == 0) posted_ms = static_cast<int64_t>(bench::SecondsSince(start) * 1000);
    });
  }
  auto last_print = bench::Clock::now();
  for (;;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    const bool posted = next_batch.load() >= batches;
    const int64_t applied = applied_min();
    if (bench::SecondsSince(last_print) >= 10) {
      last_print = bench::Clock::now();
      std::printf("  %5.0f s: posted %d/%d batches, every projector applied >= %lld, RSS %ld MiB, peak %ld MiB\n",
                  bench::SecondsSince(start), std::min(next_batch.load(), batches), batches,
                  static_cast<long long>(applied), StatusKib(child.pid, "VmRSS") / 1024,
                  StatusKib(child.pid, "VmHWM") / 1024);
      std::fflush(stdout);
    }
    if (posted && applied >= total) break;
    if (StatusKib(child.pid, "VmHWM") == 0) return std::fprintf(stderr, "rapport up exited; see %s\n", log_path.c_str()), 1;
  }
  for (auto& poster : posters) poster.join();
  const double seconds = bench::SecondsSince(start);
  const long peak = StatusKib(child.pid, "VmHWM") / 1024;
  const long now = StatusKib(child.pid, "VmRSS") / 1024;
  if (failures > 0) std::fprintf(stderr, "%lld batch(es) failed\n", static_cast<long long>(failures.load()));
  bench::Result("up_peak_rss_mib", static_cast<double>(peak), "MiB", "VmHWM of rapport up, every event applied");
  bench::Result("up_rss_after_mib", static_cast<double>(now), "MiB", "VmRSS at the end");
  bench::Result("up_rss_customers", customers, "customers", "");
  bench::Result("up_rss_events_per_s", static_cast<double>(total) / seconds, "events/s",
                "posted and applied by every projector");
  bench::Result("up_rss_gateway_events_per_s", static_cast<double>(total) * 1000 / std::max<int64_t>(1, posted_ms),
                "events/s", "accepted (202) by the gateway while the projectors ran");
  double load[3] = {0, 0, 0};
  if (getloadavg(load, 3) == 3) std::printf("load average at the end: %.2f %.2f %.2f\n", load[0], load[1], load[2]);
  ::kill(child.pid, SIGTERM);
  ::waitpid(child.pid, nullptr, 0);
  child.pid = -1;
  return failures > 0 ? 1 : 0;
}
