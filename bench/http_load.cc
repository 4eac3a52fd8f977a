// A load generator for a running rapport (a separate process, as real clients are):
//   http_load ndjson HOST PORT CUSTOMERS [SECONDS]
//                    NDJSON batches (BENCH_HTTP_BATCH, 1,000) from BENCH_HTTP_CLIENTS
//                    threads (8), for at most SECONDS
//   http_load single HOST PORT COUNT [SECONDS]
//                    single-event posts from 4 threads, at most COUNT or SECONDS
//   http_load query  HOST PORT RATE SECONDS CUSTOMERS
//                    GET /v1/customers/{id} at a fixed rate while 1 thread ingests
// Latencies of the fixed-rate query run are measured from each request's scheduled
// start, so a slow answer also counts against the requests queued behind it. The
// run is bounded: a request whose scheduled start is more than SECONDS late is not
// sent (counted as `query_not_sent`), so a server that cannot keep up ends the run
// in about 2 x SECONDS with huge percentiles instead of running for minutes.
// Requests carry the admin token of the `rapport up` whose data directory is
// BENCH_UP_DATA_DIR (default: data).

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <random>
#include <set>
#include <thread>

#include "bench/bench_util.h"
#include "bench/platform_status.h"
#include "events/json_codec.h"
#include "services/ingest/sample_data.h"

namespace {

using namespace rapport;

// The bearer token every request sends (bench::AdminToken), read once.
const std::string& Token() {
  static const std::string token = [] {
    const char* dir = std::getenv("BENCH_UP_DATA_DIR");
    return bench::AdminToken(dir && *dir ? dir : "data");
  }();
  return token;
}

std::vector<std::string> NdjsonBatches(const std::vector<events::Event>& history, size_t per_batch) {
  std::vector<std::string> batches;
  for (size_t i = 0; i < history.size(); i += per_batch) {
    std::string body;
    for (size_t k = i; k < std::min(history.size(), i + per_batch); ++k) body += events::EncodeJsonEvent(history[k]) + "\n";
    batches.push_back(std::move(body));
  }
  return batches;
}

struct Posted {
  size_t batches = 0;  // accepted (202)
  double seconds = 0;
};

// Posts batches[next..] from `threads` threads until done, `stop` or `budget_s`
// seconds (0: no limit); returns the batches accepted and the time taken.
Posted PostBatches(const std::string& host, int port, const std::vector<std::string>& batches, int threads,
                   const std::atomic<bool>* stop = nullptr, double budget_s = 0) {
  std::atomic<size_t> next{0};
  std::atomic<size_t> accepted{0};
  std::atomic<size_t> failures{0};
  const auto start = bench::Clock::now();
  auto more = [&] { return !(stop && *stop) && (budget_s <= 0 || bench::SecondsSince(start) < budget_s); };
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      httplib::Client client(host, port);
      client.set_bearer_token_auth(Token());
      client.set_tcp_nodelay(true);  // else a small body waits for the server's delayed ACK
      client.set_read_timeout(120, 0);
      for (size_t i = next++; i < batches.size() && more(); i = next++) {
        auto response = client.Post("/v1/events", batches[i], "application/x-ndjson");
        if (response && response->status == 202) {
          ++accepted;
        } else {
          ++failures;
        }
      }
    });
  }
  for (auto& worker : workers) worker.join();
  if (failures > 0) std::fprintf(stderr, "%zu batch(es) failed\n", failures.load());
  return {accepted.load(), bench::SecondsSince(start)};
}

services::SampleOptions Sample(int customers, uint64_t seed) {
  services::SampleOptions sample;
  sample.customers = customers;
  sample.seed = seed;
  return sample;
}

int Ndjson(const std::string& host, int port, int customers, double budget_s) {
  const auto history = bench::SampleHistory(Sample(customers, 42));
  // Each client waits for its batch's 202 (published and journaled) before the next,
  // so throughput is clients x batch / round trip: BENCH_HTTP_CLIENTS and
  // BENCH_HTTP_BATCH set them (as a real channel's concurrency would).
  const auto per_batch = static_cast<size_t>(bench::EnvNumber("BENCH_HTTP_BATCH", 1000));
  const int clients = static_cast<int>(bench::EnvNumber("BENCH_HTTP_CLIENTS", 8));
  const auto batches = NdjsonBatches(history, per_batch);
  const Posted posted = PostBatches(host, port, batches, clients, nullptr, budget_s);
  // Batches go out in order, so the accepted ones are (about) the first ones.
  const size_t events = std::min(history.size(), posted.batches * per_batch);
  std::set<std::string> customers_seen;
  for (size_t i = 0; i < events; ++i) customers_seen.insert(history[i].customer_id.str());
  bench::Result("gateway_ndjson_events_per_s", static_cast<double>(events) / posted.seconds, "events/s",
                ("NDJSON batches of " + std::to_string(per_batch) + " over HTTP, " + std::to_string(clients) +
                 " clients")
                    .c_str());
  bench::Result("gateway_ndjson_events", static_cast<double>(events), "events",
                events < history.size() ? "posted within the time limit" : "the whole history");
  bench::Result("gateway_ndjson_customers", static_cast<double>(customers_seen.size()), "customers", "");
  return 0;
}

int Single(const std::string& host, int port, int count, double budget_s) {
  auto history = services::GenerateSampleHistory(Sample(std::max(1, count / 10), 7));
  history.resize(std::min<size_t>(history.size(), static_cast<size_t>(count)));
  for (auto& event : history) event.event_id = EventId("single-" + event.event_id.str());
  std::vector<std::string> bodies;
  for (const auto& event : history) bodies.push_back(events::EncodeJsonEvent(event));
  std::vector<std::vector<double>> latencies(4);
  std::atomic<size_t> next{0};
  const auto start = bench::Clock::now();
  std::vector<std::thread> workers;
  for (int t = 0; t < 4; ++t) {
    workers.emplace_back([&, t] {
      httplib::Client client(host, port);
      client.set_bearer_token_auth(Token());
      client.set_tcp_nodelay(true);
      for (size_t i = next++; i < bodies.size() && (budget_s <= 0 || bench::SecondsSince(start) < budget_s);
           i = next++) {
        const auto sent = bench::Clock::now();
        auto response = client.Post("/v1/events", bodies[i], "application/json");
        if (response && response->status == 202) latencies[t].push_back(bench::SecondsSince(sent) * 1000);
      }
    });
  }
  for (auto& worker : workers) worker.join();
  const double seconds = bench::SecondsSince(start);
  std::vector<double> all;
  for (const auto& part : latencies) all.insert(all.end(), part.begin(), part.end());
  bench::Result("gateway_single_requests_per_s", static_cast<double>(all.size()) / seconds, "req/s",
                "one JSON event a request, 4 clients");
  bench::Result("gateway_single_p50_ms", bench::Quantile(all, 0.50), "ms", "");
  bench::Result("gateway_single_p99_ms", bench::Quantile(all, 0.99), "ms", "");
  return 0;
}

int Query(const std::string& host, int port, int rate, int seconds, int customers) {
  // Only customers the view holds are asked for: first the customer view catches up
  // with what the earlier stages posted (else a 404 for a customer still in the
  // projector's queue would flatter the figure), bounded by BENCH_QUERY_WAIT_SECONDS.
  {
    httplib::Client status(host, port);
    const auto wait_s = static_cast<int>(bench::EnvNumber("BENCH_QUERY_WAIT_SECONDS", 180));
    const auto waiting = bench::Clock::now();
    // At least what stage 5 posted (BENCH_QUERY_EXPECT_EVENTS, from bench/run.sh).
    const auto expected = static_cast<int64_t>(bench::EnvNumber("BENCH_QUERY_EXPECT_EVENTS", 0));
    const bool caught_up = bench::WaitUntilCaughtUp(status, "customer-view", std::chrono::seconds(wait_s), expected);
    std::printf("query: the customer view %s in %.1f s before the run\n",
                caught_up ? "caught up" : "had NOT caught up", bench::SecondsSince(waiting));
    bench::Result("query_wait_for_view_seconds", bench::SecondsSince(waiting), "s",
                  caught_up ? "until the customer view had caught up" : "gave up waiting: 404s expected");
  }
  // Ingest at the same time: another population's history (a quarter of the size:
  // enough for the run), as fast as it goes, into the same customers.
  const auto ingest = services::GenerateSampleHistory(Sample(std::max(1, customers / 4), 1234));
  std::vector<events::Event> renamed = ingest;
  for (auto& event : renamed) event.event_id = EventId("q-" + event.event_id.str());
  const auto batches = NdjsonBatches(renamed, 1000);
  std::atomic<bool> stop{false};
  // BENCH_QUERY_INGEST=0 leaves the ingest out: the same run against a quiet server,
  // to tell the queries' own cost from the contention with ingest.
  std::thread ingester;
  if (bench::EnvNumber("BENCH_QUERY_INGEST", 1) != 0) ingester = std::thread([&] { PostBatches(host, port, batches, 1, &stop); });

  constexpr int kThreads = 16;
  const double interval_s = static_cast<double>(kThreads) / rate;  // per thread
  std::vector<std::vector<double>> latencies(kThreads);
  std::atomic<int> not_found{0};
  std::atomic<int> not_sent{0};
  const auto start = bench::Clock::now() + std::chrono::milliseconds(200);
  std::vector<std::thread> workers;
  for (int t = 0; t < kThreads; ++t) {
    workers.emplace_back([&, t] {
      httplib::Client client(host, port);
      client.set_bearer_token_auth(Token());
      client.set_tcp_nodelay(true);
      client.set_keep_alive(true);
      std::mt19937 random(static_cast<unsigned>(t));
      const int total = static_cast<int>(seconds / interval_s);
      for (int i = 0; i < total; ++i) {
        const auto scheduled = start + std::chrono::duration_cast<bench::Clock::duration>(
                                           std::chrono::duration<double>(interval_s * i + interval_s * t / kThreads));
        std::this_thread::sleep_until(scheduled);
        if (bench::Clock::now() - scheduled > std::chrono::seconds(seconds)) {
          not_sent += total - i;  // hopelessly behind: the rest would only add queueing
          break;
        }
        const std::string path = "/v1/customers/c-" + std::to_string(1 + random() % customers);
        auto response = client.Get(path.c_str());
        if (!response) continue;
        if (response->status == 404) ++not_found;  // erased customers (1 in 151); merged ones answer 200 with a pointer
        latencies[t].push_back(std::chrono::duration<double, std::milli>(bench::Clock::now() - scheduled).count());
      }
    });
  }
  for (auto& worker : workers) worker.join();
  stop = true;
  if (ingester.joinable()) ingester.join();
  std::vector<double> all;
  for (const auto& part : latencies) all.insert(all.end(), part.begin(), part.end());
  std::printf("query: %zu requests answered at %d/s scheduled (%d answered 404, %d not sent) while ingesting\n",
              all.size(), rate, not_found.load(), not_sent.load());
  bench::Result("query_answered", static_cast<double>(all.size()), "requests", "");
  bench::Result("query_not_found", not_found.load(), "requests", "answered 404: the customer was not in the view");
  bench::Result("query_not_sent", not_sent.load(), "requests", "more than SECONDS behind schedule: dropped");
  bench::Result("query_p50_ms", bench::Quantile(all, 0.50), "ms", "GET /v1/customers/{id}, fixed rate, ingesting");
  bench::Result("query_p99_ms", bench::Quantile(all, 0.99), "ms", "");
  bench::Result("query_p999_ms", bench::Quantile(all, 0.999), "ms", "");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  spdlog::set_level(spdlog::level::err);
  if (argc < 5) {
    std::fprintf(stderr, "usage: http_load ndjson|single|query HOST PORT ...\n");
    return 2;
  }
  const std::string mode = argv[1], host = argv[2];
  const int port = std::atoi(argv[3]);
  const double budget_s = argc > 5 ? std::atof(argv[5]) : 0;
  if (mode == "ndjson") return Ndjson(host, port, std::atoi(argv[4]), budget_s);
  if (mode == "single") return Single(host, port, std::atoi(argv[4]), budget_s);
  if (mode == "query" && argc >= 7) return Query(host, port, std::atoi(argv[4]), std::atoi(argv[5]), std::atoi(argv[6]));
  std::fprintf(stderr, "http_load: unknown mode or missing arguments\n");
  return 2;
}
