// Embedded mode forgets nothing (docs/reliability.md): the real `rapport up`
// binary, killed (SIGKILL) or stopped (SIGTERM) and started again on the same
// data dir, gives back every topic rapport writes through the same commands and
// routes: dead letters (`rapport dlq list|replay`), alerts (`rapport alerts`),
// model parameters (`p_alive` after `rapport model fit`), the instance registry;
// and the sample published twice is journaled and exported once.

#include <httplib.h>
#include <signal.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cctype>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <span>
#include <sstream>
#include <thread>

#include "events/event_identity.h"
#include "events/publisher.h"
#include "events/topic_reader.h"
#include "events/topic_spool.h"
#include "projections/churn/churn_alert.h"
#include "services/cluster/instance_registry.h"
#include "storage/journal.h"
#include "storage/topic_log.h"
#include "tests/support/admin_token.h"
#include "tests/support/child_process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait.h"

namespace rapport {
namespace {

using json = nlohmann::json;

// A data dir, the `rapport up` running on it, and the commands run against it.
class Rapport {
 public:
  explicit Rapport(const testing::TempDir& dir) : dir_(dir) {
    std::ofstream config(dir.path() / "rapport.yaml");
    config << "kafka:\n  session_timeout_ms: 4000\nmodel:\n  refresh_seconds: 1\n";
  }
  std::string data() const { return (dir_.path() / "data").string(); }

  // Starts `rapport up` (with `extra` arguments) and waits for its HTTP port.
  void Up(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {testing::kRapportBinary, "up",       "--data-dir", data(), "--listen",
                                     "127.0.0.1:0",           "--config", config()};
    args.insert(args.end(), extra.begin(), extra.end());
    up_ = std::make_unique<testing::ChildProcess>(args,
                                                  dir_.path() / ("up-" + std::to_string(++runs_) + ".log"));
    port_ = up_->WaitForHttpPort();
    REQUIRE(port_ > 0);
  }
  // SIGKILL or SIGTERM; a SIGTERM must end cleanly.
  void Stop(int signal) {
    const int status = up_->Kill(signal);
    if (signal == SIGTERM) CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 0));
    up_.reset();
  }
  std::string UpOutput() const { return up_->output(); }
  int port() const { return port_; }

  // Runs `rapport <args> --data-dir <data>` to its end; its stdout and stderr.
  std::string Run(std::vector<std::string> args) {
    args.insert(args.begin(), testing::kRapportBinary);
    args.push_back("--data-dir");
    args.push_back(data());
    args.push_back("--config");
    args.push_back(config());
    testing::ChildProcess command(args, dir_.path() / ("command-" + std::to_string(++runs_) + ".log"));
    REQUIRE(testing::WaitFor([&] { return !command.running(); }, std::chrono::seconds(120)));
    return command.output();
  }

  events::KafkaSettings Kafka() const {
    std::ifstream in(std::filesystem::path(data()) / "bootstrap.servers");
    events::KafkaSettings kafka;
    std::getline(in, kafka.bootstrap_servers);
    kafka.delivery_timeout_ms = 5000;
    // Signs and verifies the control topics' records as `rapport up` does.
    std::ifstream secret(std::filesystem::path(data()) / "cluster.secret");
    std::getline(secret, kafka.record_secret);
    return kafka;
  }

  // Publishes `messages` as an outside Kafka client named `client_id` would.
  void Publish(const std::string& client_id, std::span<const events::OutgoingMessage> messages) {
    auto publisher = events::Publisher::Create(Kafka(), client_id);
    REQUIRE(publisher.ok());
    REQUIRE((*publisher)->PublishAndWait(messages).ok());
  }

  // Publishes `messages` as rapport's own writers do in embedded mode (a `rapport`
  // command on this data dir): through the topic spool (events/topic_spool.h).
  std::unique_ptr<events::Publisher> RapportPublisher() {
    events::KafkaSettings kafka = Kafka();
    kafka.topic_spool_dir = events::TopicSpoolDir(data()).string();
    auto publisher = events::Publisher::Create(kafka, "as-rapport");
    REQUIRE(publisher.ok());
    return std::move(publisher).value();
  }

  // Waits until the archiver's progress in the topic log reaches the broker's end
  // of every partition of `topic`, so a SIGKILL now loses nothing of it.
  void WaitArchived(const std::string& topic) {
    auto log = projections::TopicLog::Open(std::filesystem::path(data()) / "topics",
                                           projections::OpenMode::kSecondary);
    REQUIRE(log.ok());
    auto probe = events::Publisher::Create(Kafka(), "wait-archived");
    REQUIRE(probe.ok());
    auto partitions = events::TopicPartitionCount((*probe)->handle(), topic, std::chrono::seconds(10));
    REQUIRE(partitions.ok());
    REQUIRE(testing::WaitFor([&] {
      if (!(*log)->Refresh().ok()) return false;
      auto progress = (*log)->Visit(topic, [](events::TopicRecord&&) { return Status::Ok(); });
      if (!progress.ok()) return false;
      for (int32_t p = 0; p < *partitions; ++p) {
        int64_t low = 0, high = 0;
        if (rd_kafka_query_watermark_offsets((*probe)->handle(), topic.c_str(), p, &low, &high, 5000))
          return false;
        const int64_t archived = progress->contains(p) ? progress->at(p) : 0;
        if (archived < high) return false;
      }
      return true;
    }));
  }

  json Customer(const std::string& id) {
    httplib::Client client("127.0.0.1", port_);
    client.set_read_timeout(30, 0);
    testing::UseAdminToken(client, data());
    auto response = client.Get(("/v1/customers/" + id).c_str());
    return response && response->status == 200 ? json::parse(response->body) : json();
  }

 private:
  std::string config() const { return (dir_.path() / "rapport.yaml").string(); }

  const testing::TempDir& dir_;
  std::unique_ptr<testing::ChildProcess> up_;
  int port_ = 0;
  int runs_ = 0;
};

// The lines of `text`, sorted: partitions interleave in any order.
std::vector<std::string> SortedLines(const std::string& text);

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

std::vector<std::string> SortedLines(const std::string& text) {
  auto lines = Lines(text);
  std::sort(lines.begin(), lines.end());
  return lines;
}

// The id of the first dead-letter record a `dlq list` printed.
std::string FirstId(const std::string& list) {
  for (const std::string& line : Lines(list)) {
    const auto space = line.find(' ');
    if (space != std::string::npos && line.find(':') < space &&
        std::isdigit(static_cast<unsigned char>(line[0]))) {
      return line.substr(0, space);
    }
  }
  return "";
}

TEST_CASE("durable topics: dead letters survive SIGKILL and SIGTERM, replay marks included",
          "[integration][durable][dlq]") {
  testing::TempDir dir;
  Rapport rapport(dir);
  rapport.Up();
  events::OutgoingMessage poison{"rapport.interactions", "c-poison", "not an envelope", 0, {}, {}};
  rapport.Publish("poison", {&poison, 1});
  std::string before;
  REQUIRE(testing::WaitFor([&] {
    before = rapport.Run({"dlq", "list"});
    return before.find("record(s) on rapport.dead-letter") != std::string::npos &&
           before.rfind("0 record(s)", 0) != 0;
  }));
  // Every projector has dead-lettered it: the list stays the same for a second.
  REQUIRE(testing::WaitFor([&] {
    const std::string earlier = rapport.Run({"dlq", "list"});
    std::this_thread::sleep_for(std::chrono::seconds(1));
    before = rapport.Run({"dlq", "list"});
    return before == earlier;
  }));
  rapport.WaitArchived("rapport.dead-letter");
  rapport.Stop(SIGKILL);

  rapport.Up();
  CHECK(SortedLines(rapport.Run({"dlq", "list"})) == SortedLines(before));
  const std::string id = FirstId(before);
  REQUIRE(!id.empty());
  CHECK(rapport.Run({"dlq", "replay", id}).find("replayed " + id) != std::string::npos);
  rapport.WaitArchived("rapport.dead-letter");
  rapport.Stop(SIGTERM);

  rapport.Up();
  const std::string after = rapport.Run({"dlq", "list"});
  bool marked = false;
  for (const std::string& line : Lines(after))
    marked = marked || (line.rfind(id + " ", 0) == 0 && line.find("replayed") != std::string::npos);
  CHECK(marked);
  CHECK(rapport.Run({"dlq", "replay", id}).find("skipped " + id) != std::string::npos);
  rapport.Stop(SIGTERM);
}

projections::AlertEvent Alert(int i) {
  projections::AlertEvent alert;
  alert.kind = projections::AlertKind::kRaised;
  alert.customer_id = "c-" + std::to_string(i % 7);
  alert.alert_id = "al-" + std::to_string(i);
  alert.at_ms = 1'767'225'600'000 + i * 1000;
  alert.triggering_event_id = "e-" + std::to_string(i);
  alert.tier = projections::Tier::kB;
  alert.risk_score = 0.5;
  alert.action = "call";
  return alert;
}

// Alerts 0 .. count-1 as the alert topic's messages.
std::vector<events::OutgoingMessage> AlertMessages(int count) {
  std::vector<events::OutgoingMessage> out;
  for (int i = 0; i < count; ++i) {
    const auto alert = Alert(i);
    out.push_back(
        {"rapport.churn-alerts", alert.customer_id, projections::EncodeAlertWire(alert), 0, {}, {}});
  }
  return out;
}

TEST_CASE("durable topics: `rapport alerts` prints the whole history after SIGKILL and SIGTERM",
          "[integration][durable][alerts]") {
  testing::TempDir dir;
  Rapport rapport(dir);
  rapport.Up();
  rapport.Publish("alerts", AlertMessages(40));
  const std::string before = rapport.Run({"alerts", "--json"});
  REQUIRE(Lines(before).size() == 40);
  const std::string human = rapport.Run({"alerts"});
  REQUIRE(Lines(human).size() == 40);
  rapport.WaitArchived("rapport.churn-alerts");
  rapport.Stop(SIGKILL);

  rapport.Up();
  CHECK(SortedLines(rapport.Run({"alerts", "--json"})) == SortedLines(before));
  rapport.Stop(SIGTERM);
  rapport.Up();
  CHECK(SortedLines(rapport.Run({"alerts", "--json"})) == SortedLines(before));
  CHECK(SortedLines(rapport.Run({"alerts"})) == SortedLines(human));
  rapport.Stop(SIGTERM);
}

TEST_CASE("durable topics: what rapport wrote just before a SIGKILL is back after it",
          "[integration][durable][spool]") {
  testing::TempDir dir;
  Rapport rapport(dir);
  rapport.Up();
  const std::vector<events::OutgoingMessage> alerts = AlertMessages(40);
  {
    auto publisher = rapport.RapportPublisher();
    REQUIRE(publisher->PublishAndWait(alerts).ok());
    // Killed within a millisecond of the acknowledgement: the topic archiver has
    // not polled yet, so only the spool holds them.
    rapport.Stop(SIGKILL);
  }
  rapport.Up();
  const auto after = Lines(rapport.Run({"alerts", "--json"}));
  CHECK(after.size() == alerts.size());
  std::set<std::string> ids;
  for (const std::string& line : after) ids.insert(json::parse(line)["alert_id"].get<std::string>());
  CHECK(ids.size() == alerts.size());
  // Archived since, and the spool emptied: a second restart neither loses nor repeats them.
  rapport.WaitArchived("rapport.churn-alerts");
  REQUIRE(testing::WaitFor([&] { return std::filesystem::is_empty(events::TopicSpoolDir(rapport.data())); }));
  rapport.Stop(SIGKILL);
  rapport.Up();
  CHECK(Lines(rapport.Run({"alerts", "--json"})).size() == alerts.size());

  // A `rapport` command's write (the replay mark of a dead letter), then a SIGKILL at once.
  events::OutgoingMessage poison{"rapport.interactions", "c-poison", "not an envelope", 0, {}, {}};
  rapport.Publish("poison", {&poison, 1});
  std::string list;
  REQUIRE(testing::WaitFor([&] {
    list = rapport.Run({"dlq", "list"});
    return !FirstId(list).empty();
  }));
  const std::string id = FirstId(list);
  CHECK(rapport.Run({"dlq", "replay", id}).find("replayed " + id) != std::string::npos);
  rapport.Stop(SIGKILL);
  rapport.Up();
  bool marked = false;
  for (const std::string& line : Lines(rapport.Run({"dlq", "list"}))) {
    marked = marked || (line.rfind(id + " ", 0) == 0 && line.find("replayed") != std::string::npos);
  }
  CHECK(marked);
  rapport.Stop(SIGTERM);
}

TEST_CASE("durable topics: a model fit survives a restart (p_alive stays)", "[integration][durable][model]") {
  testing::TempDir dir;
  Rapport rapport(dir);
  rapport.Up({"--sample-data", "--sample-customers", "200"});
  REQUIRE(testing::WaitFor([&] { return rapport.UpOutput().find("sample:") != std::string::npos; }));
  REQUIRE(testing::WaitFor([&] { return rapport.Customer("c-1").contains("p_alive"); }));
  CHECK(rapport.Customer("c-1")["p_alive"].is_null());
  const std::string fit = rapport.Run({"model", "fit"});
  INFO(fit);
  json customer;
  REQUIRE(testing::WaitFor([&] {
    customer = rapport.Customer("c-1");
    return customer.contains("p_alive") && !customer["p_alive"].is_null();
  }));
  rapport.WaitArchived("rapport.model-parameters");
  rapport.Stop(SIGKILL);

  rapport.Up();
  json after;
  REQUIRE(testing::WaitFor([&] {
    after = rapport.Customer("c-1");
    return after.contains("p_alive") && !after["p_alive"].is_null();
  }));
  CHECK(after["p_alive"].get<double>() == Approx(customer["p_alive"].get<double>()));
  rapport.Stop(SIGTERM);
}

// Every record `registry` holds, `self` and `record_offset` (the restored topic is
// numbered anew) left out; `observer`'s own record too.
json RecordsOf(const services::InstanceRegistry& registry, const std::string& observer = "") {
  // Held in a variable: a range-for over `registry.ToJson()["instances"]` would walk
  // a temporary destroyed before the loop body runs (C++20 extends the life of the
  // last reference only), which read as "no records" in an optimised build.
  const json all = registry.ToJson();
  json out = json::array();
  for (json instance : all["instances"]) {
    if (instance["id"] == observer) continue;
    instance.erase("record_offset");
    instance.erase("self");
    out.push_back(instance);
  }
  return out;
}

TEST_CASE("durable topics: the instance registry's claims survive a restart, compacted",
          "[integration][durable][instances]") {
  testing::TempDir dir;
  Rapport rapport(dir);
  rapport.Up();
  json seen;
  {
    // One registry a process (they share the process's consumer group): the
    // claimer reads its own claim back.
    auto claimer = services::InstanceRegistry::Start(rapport.Kafka(), "inst-a");
    REQUIRE(claimer.ok());
    (*claimer)->SetAddress("10.0.0.1:8080");
    (*claimer)->SetAssignment({Partition(0), Partition(3)}, {Partition(0)});
    REQUIRE(testing::WaitFor([&] {
      seen = RecordsOf(**claimer);
      return seen.size() == 1 && seen[0]["partitions"] == json::array({0, 3});
    }));
    rapport.WaitArchived("rapport.instances");
    rapport.Stop(SIGKILL);  // before the claimer leaves: its claim is the last word
  }
  // Compacted: the log keeps one record for inst-a however often it published.
  {
    auto log = projections::TopicLog::Open(std::filesystem::path(rapport.data()) / "topics",
                                           projections::OpenMode::kReadOnly);
    REQUIRE(log.ok());
    int records = 0;
    REQUIRE((*log)
                ->Visit("rapport.instances",
                        [&](events::TopicRecord&&) {
                          ++records;
                          return Status::Ok();
                        })
                .ok());
    CHECK(records == 1);
  }
  rapport.Up();
  auto observer = services::InstanceRegistry::Start(rapport.Kafka(), "observer-2");
  REQUIRE(observer.ok());
  CHECK(RecordsOf(**observer, "observer-2") == seen);
  CHECK((*observer)->OwnerOf(Partition(3))->id == "inst-a");
  observer->reset();
  rapport.Stop(SIGTERM);
}

TEST_CASE("durable topics: the sample published twice is journaled and exported once",
          "[integration][durable][journal]") {
  testing::TempDir dir;
  Rapport rapport(dir);
  auto sample_run = [&] {
    rapport.Up({"--sample-data", "--sample-customers", "15"});
    REQUIRE(testing::WaitFor([&] { return rapport.UpOutput().find("sample:") != std::string::npos; }));
    rapport.Stop(SIGTERM);
  };
  sample_run();
  const auto first = Lines(rapport.Run({"export", "--format", "jsonl"}));
  sample_run();
  const auto second = Lines(rapport.Run({"export", "--format", "jsonl"}));
  std::set<std::string> ids;
  for (const std::string& line : second) {
    if (line.front() != '{') continue;  // the summary line
    CHECK(ids.insert(json::parse(line)["event_id"].get<std::string>()).second);
  }
  CHECK(!ids.empty());
  CHECK(second == first);

  const auto csv = Lines(rapport.Run({"export", "--customer", "c-1", "--format", "csv"}));
  std::set<std::string> rows;
  int events = 0;
  for (size_t i = 1; i < csv.size(); ++i) {
    if (csv[i].rfind("exported ", 0) == 0) continue;
    ++events;
    CHECK(rows.insert(csv[i].substr(0, csv[i].find(','))).second);  // event_id is the first column
  }
  CHECK(events > 0);

  auto journal = projections::Journal::Open(std::filesystem::path(rapport.data()) / "journal",
                                            projections::OpenMode::kReadOnly);
  REQUIRE(journal.ok());
  std::set<std::string> identities;
  int64_t entries = 0;
  REQUIRE((*journal)
              ->ScanAll(
                  [&](projections::JournalEntry&& entry) {
                    auto identity = events::PeekEventIdentity(entry.value);
                    if (!identity) return Status::Ok();
                    ++entries;
                    CHECK(identities.insert(events::IdentityKey(*identity)).second);
                    return Status::Ok();
                  },
                  projections::JournalCopies::kAll)
              .ok());
  CHECK(entries == static_cast<int64_t>(ids.size()));
}

}  // namespace
}  // namespace rapport
