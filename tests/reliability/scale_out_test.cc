// Scale-out and rebalance: three `rapport project customer-view --serve` processes
// in one consumer group share the partitions, each with its own store; one is
// SIGKILLed mid-stream. Queries to the survivors succeed throughout (answered by
// the owner, forwarded when needed), and the survivors' state equals the fold of
// every event.

#include <atomic>
#include <map>
#include <random>
#include <thread>

#include <catch2/catch.hpp>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "projections/customer_view/customer_view_projection.h"
#include "services/cluster/instance_registry.h"
#include "services/platform/platform.h"
#include "tests/reliability/reliability_support.h"
#include "tests/support/child_process.h"
#include "tests/support/embedded_platform.h"
#include "tests/support/fold.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait.h"

namespace rapport {
namespace {

using Clock = std::chrono::steady_clock;
double Seconds(Clock::time_point since) { return std::chrono::duration<double>(Clock::now() - since).count(); }

nlohmann::json GetJson(int port, const std::string& path, const std::string& token) {
  httplib::Client client("127.0.0.1", port);
  client.set_bearer_token_auth(token);
  client.set_read_timeout(60, 0);
  auto response = client.Get(path.c_str());
  if (!response || response->status != 200) return nullptr;
  return nlohmann::json::parse(response->body, nullptr, false);
}

// partition -> owner's address, when every partition has a serving owner among
// `allowed` in the view of the instance on `port`.
std::optional<std::map<int, std::string>> ServingOwners(int port, const std::set<std::string>& allowed,
                                                        const std::string& token) {
  auto cluster = GetJson(port, "/v1/cluster/instances", token);
  if (!cluster.is_object()) return std::nullopt;
  std::map<int, std::string> owners;
  for (const auto& [partition, owner] : cluster["owners"].items()) {
    if (owner.is_null() || !owner["serving"].get<bool>()) return std::nullopt;
    const std::string address = owner["address"].get<std::string>();
    if (!allowed.contains(address)) return std::nullopt;
    owners[std::stoi(partition)] = address;
  }
  return owners;
}

TEST_CASE_METHOD(testing::BrokerAndGateway,
                 "scale-out: three instances, one SIGKILLed mid-stream, queries succeed, state equals the fold",
                 "[reliability][scale-out]") {
  const auto child_config = testing::WriteChildConfig(dir.path(), "cluster:\n  forward_patience_ms: 30000\n");
  // The gateway's platform made the cluster secret and the admin credential in dir.
  const std::string token = testing::AdminToken(dir.path());
  REQUIRE(!token.empty());

  constexpr int kInstances = 3;
  std::vector<std::unique_ptr<testing::ChildProcess>> instances;
  std::vector<int> ports;
  std::vector<std::string> addresses;
  for (int i = 0; i < kInstances; ++i) {
    instances.push_back(std::make_unique<testing::ChildProcess>(
        std::vector<std::string>{testing::kRapportBinary, "project", "customer-view", "--serve", "--brokers",
                                 p.bootstrap_servers(), "--data-dir", (dir.path() / ("instance-" + std::to_string(i))).string(),
                                 "--listen", "127.0.0.1:0", "--config", child_config.string(),
                                 "--cluster-secret-file", (dir.path() / "cluster.secret").string()},
        dir.path() / ("instance-" + std::to_string(i) + ".log")));
    ports.push_back(instances.back()->WaitForHttpPort());
    INFO(instances.back()->output());
    REQUIRE(ports.back() > 0);
    addresses.push_back("127.0.0.1:" + std::to_string(ports.back()));
  }
  const std::set<std::string> everyone(addresses.begin(), addresses.end());
  const std::set<std::string> survivors{addresses[0], addresses[1]};

  auto history = testing::MergeFreeHistory(5'000);
  const size_t head = history.size() / 4;
  {
    std::vector<events::Event> batch(history.begin(), history.begin() + static_cast<std::ptrdiff_t>(head));
    REQUIRE(p.gateway()->Publish(batch).ok());
  }
  // Every instance sees every partition served, by the three of them together.
  for (int port : ports) {
    REQUIRE(testing::WaitFor([&] {
      auto owners = ServingOwners(port, everyone, token);
      if (!owners) return false;
      std::set<std::string> used;
      for (const auto& [partition, address] : *owners) used.insert(address);
      return used.size() == kInstances;
    }));
  }
  std::vector<std::string> known;  // customers of the head, queried throughout
  for (size_t i = 0; i < head; i += 17) known.push_back(history[i].customer_id.str());

  // Streaming, querying, and a SIGKILL.
  std::atomic<bool> streaming{true};
  std::thread publisher([&] {
    for (size_t begin = head; begin < history.size(); begin += 1'000) {
      std::vector<events::Event> batch(history.begin() + static_cast<std::ptrdiff_t>(begin),
                                       history.begin() + static_cast<std::ptrdiff_t>(std::min(history.size(), begin + 1'000)));
      if (!p.gateway()->Publish(batch).ok()) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(150));
    }
    streaming = false;
  });
  std::atomic<bool> querying{true};
  std::atomic<bool> killed{false};
  std::atomic<int64_t> queries{0}, failures{0};
  std::atomic<int64_t> slowest_ms{0};
  std::mutex failure_mutex;
  std::string first_failure;
  auto query = [&](int seed) {
    std::mt19937 random(static_cast<unsigned>(seed));
    std::vector<std::unique_ptr<httplib::Client>> clients;
    for (int port : ports) {
      clients.push_back(std::make_unique<httplib::Client>("127.0.0.1", port));
      clients.back()->set_read_timeout(60, 0);
      clients.back()->set_bearer_token_auth(token);
    }
    while (querying) {
      const int target = static_cast<int>(random() % (killed ? 2 : kInstances));
      const std::string& customer = known[random() % known.size()];
      const auto at = Clock::now();
      auto response = clients[static_cast<size_t>(target)]->Get(("/v1/customers/" + customer).c_str());
      const int64_t ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - at).count();
      if (!response && target == 2 && killed) continue;  // raced the kill: not a survivor
      ++queries;
      int64_t previous = slowest_ms.load();
      while (ms > previous && !slowest_ms.compare_exchange_weak(previous, ms)) {
      }
      if (!response || response->status != 200) {
        ++failures;
        std::lock_guard lock(failure_mutex);
        if (first_failure.empty()) {
          first_failure = "instance " + std::to_string(target) + " " + customer + ": " +
                          (response ? std::to_string(response->status) + " " + response->body
                                    : httplib::to_string(response.error()));
        }
      }
    }
  };
  std::thread query_a(query, 1), query_b(query, 2);

  std::this_thread::sleep_for(std::chrono::seconds(3));
  killed = true;
  instances[2]->Kill(SIGKILL);
  const auto killed_at = Clock::now();
  // The survivors take the dead instance's partitions over and serve them.
  double takeover_seconds = 0;
  REQUIRE(testing::WaitFor(
      [&] {
        if (ServingOwners(ports[0], survivors, token) && ServingOwners(ports[1], survivors, token)) {
          takeover_seconds = Seconds(killed_at);
          return true;
        }
        return false;
      },
      std::chrono::seconds(90)));
  publisher.join();
  REQUIRE_FALSE(streaming);

  // Each partition's owner has applied everything the journal holds.
  std::vector<std::unique_ptr<projections::Store>> stores;
  for (int i = 0; i < 2; ++i) {
    auto opened = projections::Store::Open(dir.path() / ("instance-" + std::to_string(i)) / "customer-view",
                                           projections::OpenMode::kSecondary,
                                           dir.path() / ("secondary-" + std::to_string(i)));
    REQUIRE(opened.ok());
    stores.push_back(std::move(opened).value());
  }
  std::map<int, std::string> owners;
  auto store_of = [&](const std::string& address) -> projections::Store& {
    return *stores[address == addresses[0] ? 0 : 1];
  };
  REQUIRE(testing::WaitFor(
      [&] {
        auto now = ServingOwners(ports[0], survivors, token);
        if (!now) return false;
        owners = *now;
        for (auto& store : stores) REQUIRE(store->CatchUp().ok());
        for (const auto& [partition, address] : owners) {
          auto next = projections::ReadNextOffset(store_of(address), {topic, Partition(partition)});
          auto end = p.journal()->EndOffset(Partition(partition));
          REQUIRE(next.ok());
          REQUIRE(end.ok());
          if (next->value_or(Offset(0)) != *end) return false;
        }
        return true;
      },
      std::chrono::seconds(120)));
  querying = false;
  query_a.join();
  query_b.join();

  // The survivors' state, each partition from its owner, equals the fold.
  auto rebuilt = testing::FoldJournal(*p.journal(), dir.path() / "rebuild");
  int64_t customers = 0, mismatches = 0, http_checked = 0, http_mismatches = 0;
  std::string first_difference;
  std::map<int, int64_t> mismatches_by_partition;
  auto it = rebuilt->NewIterator(projections::Family::kState);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    ++customers;
    const std::string id = it->key().ToString();
    auto want = projections::DecodeCustomerView(std::string_view(it->value().data(), it->value().size()));
    REQUIRE(want.ok());
    const int partition = services::PartitionOfKey(id, partitions).value();
    auto got = projections::ReadCustomerView(store_of(owners.at(partition)), id);
    REQUIRE(got.ok());
    if (!got->has_value() || **got != *want) {
      ++mismatches_by_partition[partition];
      if (mismatches++ == 0) {
        first_difference = "partition " + std::to_string(partition) + " owner " + owners.at(partition) + "\n  " +
                           testing::DescribeDifference(*want, *got);
      }
    }
    // And through the query API of either survivor, whoever owns it.
    if (customers % 20 == 0) {
      ++http_checked;
      auto answer = GetJson(ports[static_cast<size_t>(customers / 20 % 2)], "/v1/customers/" + id, token);
      if (!answer.is_object() || answer["events"] != want->events || answer["purchases"] != want->purchases ||
          answer["revenue"] != want->revenue) {
        ++http_mismatches;
      }
    }
  }
  // What a failure needs to be understood: where the differences are and, only then,
  // what each survivor's projector counted and the end of its log.
  std::string where;
  for (const auto& [partition, count] : mismatches_by_partition) {
    where += " p" + std::to_string(partition) + "@" + owners.at(partition) + ":" + std::to_string(count);
  }
  std::string survivors_state;
  for (int i = 0; i < 2 && (mismatches > 0 || http_mismatches > 0); ++i) {
    httplib::Client client("127.0.0.1", ports[static_cast<size_t>(i)]);
    client.set_bearer_token_auth(token);
    auto ready = client.Get("/readyz");
    const std::string log = instances[static_cast<size_t>(i)]->output();
    survivors_state += "\ninstance " + std::to_string(i) + " " + addresses[static_cast<size_t>(i)] +
                       " /readyz: " + (ready ? ready->body : std::string("(no answer)")) + "\nlog tail:\n" +
                       log.substr(log.size() > 3000 ? log.size() - 3000 : 0);
  }
  INFO(first_difference);
  INFO("differences by partition@owner:" + where);
  INFO(survivors_state);
  CHECK(mismatches == 0);
  CHECK(http_mismatches == 0);
  INFO(first_failure);
  CHECK(failures == 0);
  CHECK(queries > 100);
  CHECK(instances[0]->Kill(SIGTERM) == 0);
  CHECK(instances[1]->Kill(SIGTERM) == 0);

  std::printf("scale-out: %zu events, %d instances, one SIGKILLed mid-stream; survivors served its partitions "
              "%.1f s after the kill; %lld queries to survivors during the run, %lld failed, slowest %lld ms; "
              "%lld customers equal to the fold (%lld differ), %lld checked through the query API (%lld "
              "differ); wall %.1f s\n",
              history.size(), kInstances, takeover_seconds, static_cast<long long>(queries.load()),
              static_cast<long long>(failures.load()), static_cast<long long>(slowest_ms.load()),
              static_cast<long long>(customers), static_cast<long long>(mismatches),
              static_cast<long long>(http_checked), static_cast<long long>(http_mismatches), Seconds(started));
}

}  // namespace
}  // namespace rapport
