// Churn alerts end to end on the embedded mock cluster: a generated history with
// planted churners (one stops buying in tier A, one in tier D, one whose
// satisfaction collapses, one who piles up complaints) goes through Kafka into the
// churn projection; the alert topic must hold exactly the planted alerts with the
// right tier and action, and a second run from scratch the same bytes. Then alerts
// arrive over Server-Sent Events and at webhooks served by the test.

#include <httplib.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "events/kafka_settings.h"
#include "projections/churn/churn_alert.h"
#include "projections/churn/churn_projection.h"
#include "services/alerts/alert_follow.h"
#include "services/alerts/webhook_target.h"
#include "services/ingest/gateway.h"
#include "tests/support/child_process.h"
#include "tests/support/embedded_platform.h"
#include "tests/support/event_builders.h"
#include "tests/support/topic_reader.h"
#include "tests/support/wait.h"

namespace rapport {
namespace {

using events::Event;
using projections::AlertEvent;
using projections::AlertKind;
using testing::Day;

constexpr int64_t kHour = 3'600'000;

Event Make(const std::string& customer, int64_t at, events::Payload payload) {
  static std::map<std::string, int> counters;
  Event e;
  e.event_id = EventId("e-" + customer + "-" + std::to_string(++counters[customer]));
  e.customer_id = CustomerId(customer);
  e.occurred_at_ms = at;
  e.channel = events::Channel::kStore;
  e.payload = std::move(payload);
  return e;
}

Event Buy(const std::string& customer, int64_t at, int64_t amount) {
  return Make(customer, at, events::Purchase{"o-" + std::to_string(at), amount, amount / 2, "EUR", 1, "tea"});
}

Event SurveyGap(const std::string& customer, int64_t at, int expectation, int perception) {
  events::CareContact care;
  care.purpose = events::CarePurpose::kSurvey;
  care.survey.expectation = expectation;
  care.survey.perception = perception;
  return Make(customer, at, care);
}

Event Complain(const std::string& customer, int64_t at, const std::string& id) {
  return Make(customer, at, events::Complaint{id, events::ComplaintCategory::kBilling, 2, "wrong bill"});
}

// 200 customers over 300 days, weekly buyers; the planted churners are the only
// ones any rule of §5 fires for.
std::vector<Event> History() {
  std::vector<Event> events;
  auto weekly = [&](const std::string& id, int offset, int until_day, int64_t amount) {
    for (int d = offset; d <= until_day; d += 7) events.push_back(Buy(id, Day(d) + offset * kHour, amount));
  };
  for (int i = 0; i < 196; ++i) {
    char id[16];
    std::snprintf(id, sizeof(id), "b-%03d", i);
    const int64_t amount = i == 0 ? 50'000 : i <= 12 ? 6'000 + 100 * i : 200 + 10 * i;
    weekly(id, i % 7, 300, amount);
  }
  weekly("stop-A", 1, 150, 100'000);  // tier A, stops after day 150
  weekly("stop-D", 2, 100, 10);       // tier D, stops after day 100
  weekly("sat-B", 3, 300, 20'000);    // tier B, satisfaction collapses on day 200
  for (int d = 10; d < 200; d += 14) events.push_back(SurveyGap("sat-B", Day(d) + 12 * kHour, 5, 8));
  events.push_back(SurveyGap("sat-B", Day(200) + 12 * kHour, 9, 3));
  weekly("comp-C", 4, 300, 3'500);  // tier C, three complaints within 30 days
  for (int d : {120, 125, 130})
    events.push_back(Complain("comp-C", Day(d) + 12 * kHour, "k-" + std::to_string(d)));
  std::stable_sort(events.begin(), events.end(),
                   [](const Event& a, const Event& b) { return a.occurred_at_ms < b.occurred_at_ms; });
  return events;
}

struct Message {
  int32_t partition = 0;
  int64_t offset = 0;
  std::string key, value;
  auto operator<=>(const Message&) const = default;
};

// Every message of `topic`, read with an assigned (group-less) consumer from the beginning.
std::vector<Message> ReadTopic(const events::KafkaSettings& kafka, const std::string& topic, int partitions) {
  events::KafkaPtr consumer = testing::AssignFromBeginning(kafka, "test-reader", topic, partitions);
  std::vector<Message> out;
  std::set<int32_t> done;
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (static_cast<int>(done.size()) < partitions && std::chrono::steady_clock::now() < until) {
    events::KafkaMessagePtr m(rd_kafka_consumer_poll(consumer.get(), 200));
    if (!m) continue;
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      done.insert(m->partition);
      continue;
    }
    REQUIRE(m->err == RD_KAFKA_RESP_ERR_NO_ERROR);
    out.push_back({m->partition, m->offset, std::string(static_cast<const char*>(m->key), m->key_len),
                   std::string(static_cast<const char*>(m->payload), m->len)});
  }
  rd_kafka_consumer_close(consumer.get());
  std::sort(out.begin(), out.end());
  return out;
}

services::Config ChurnConfig(const testing::TempDir& dir) {
  auto config = testing::TestConfig(dir);
  config.domain.churn.wall_tick_seconds = 0;  // a replay of history: event time only
  return config;
}

void Publish(services::Platform& platform, const std::vector<Event>& events) {
  std::vector<events::OutgoingMessage> messages;
  for (const Event& e : events) {
    messages.push_back(services::ToKafkaMessage(e, platform.config().kafka.topics.interactions));
  }
  for (size_t i = 0; i < messages.size(); i += 4000) {
    const size_t n = std::min<size_t>(4000, messages.size() - i);
    REQUIRE(platform.publisher()->PublishAndWait(std::span(messages).subspan(i, n)).ok());
  }
}

// Runs the history through a fresh platform; returns the alert topic.
std::vector<Message> RunOnce(const std::vector<Event>& history, size_t expected_messages) {
  testing::TempDir dir;
  auto config = ChurnConfig(dir);
  auto platform = testing::StartEmbeddedPlatform(config);
  Publish(*platform, history);
  const auto& kafka = platform->config().kafka;
  std::vector<Message> messages;
  REQUIRE(testing::WaitFor(
      [&] {
        messages = ReadTopic(kafka, kafka.topics.churn_alerts, kafka.partitions);
        return messages.size() >= expected_messages;
      },
      std::chrono::seconds(120)));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // nothing more may come
  messages = ReadTopic(kafka, kafka.topics.churn_alerts, kafka.partitions);

  // The HTTP side sees the same alerts.
  auto http = testing::HttpClient(*platform);
  auto open = http.Get("/v1/alerts?status=open");
  REQUIRE(open);
  REQUIRE(open->status == 200);
  auto body = nlohmann::json::parse(open->body);
  std::set<std::string> open_customers;
  for (const auto& a : body["alerts"]) open_customers.insert(a["customer_id"].get<std::string>());
  CHECK(open_customers == std::set<std::string>{"stop-A", "stop-D"});
  auto mine = http.Get("/v1/customers/comp-C/alerts");
  REQUIRE(mine);
  auto comp = nlohmann::json::parse(mine->body);
  REQUIRE(comp["alerts"].size() == 1);
  CHECK(comp["alerts"][0]["status"] == "cleared");
  auto stats = http.Get("/v1/stats/churn?period=month");
  REQUIRE(stats);
  CHECK(stats->status == 200);
  CHECK(!nlohmann::json::parse(stats->body)["periods"].empty());
  CHECK(http.Get("/v1/stats/churn?period=week")->status == 400);
  CHECK(http.Get("/v1/alerts?tier=Z")->status == 400);

  // `rapport alerts --tier A,B`: the tier-A and tier-B alerts and the clear of the B one.
  std::ostringstream lines;
  std::atomic<bool> stop{false};
  services::AlertsOptions options;
  options.tiers = {projections::Tier::kA, projections::Tier::kB};
  REQUIRE(services::FollowAlerts(kafka, options, lines, stop).ok());
  const std::string printed = lines.str();
  CHECK(std::count(printed.begin(), printed.end(), '\n') == 3);
  CHECK(printed.find("stop-A tier A risk") != std::string::npos);
  CHECK(printed.find("sat-B tier B risk") != std::string::npos);
  CHECK(printed.find(" sat-B by purchase ") != std::string::npos);
  CHECK(printed.find("stop-D") == std::string::npos);
  CHECK(printed.find("comp-C") == std::string::npos);
  return messages;
}

TEST_CASE("churn alerts: the alert topic holds exactly the planted alerts, identical on a second run",
          "[integration][churn]") {
  const std::vector<Event> history = History();
  const auto first = RunOnce(history, 6);

  std::map<std::string, std::vector<AlertEvent>> by_customer;
  for (const Message& m : first) {
    auto alert = projections::DecodeAlertWire(m.value);
    REQUIRE(alert.ok());
    CHECK(alert->customer_id == m.key);
    by_customer[m.key].push_back(*alert);
  }
  for (auto& [customer, alerts] : by_customer) {
    std::sort(alerts.begin(), alerts.end(),
              [](const auto& a, const auto& b) { return a.sequence < b.sequence; });
  }
  CHECK(first.size() == 6);
  REQUIRE(by_customer.size() == 4);

  auto raised = [&](const std::string& customer) -> const AlertEvent& {
    REQUIRE(!by_customer[customer].empty());
    const AlertEvent& a = by_customer[customer].front();
    REQUIRE(a.kind == AlertKind::kRaised);
    return a;
  };
  auto reasons = [](const AlertEvent& a) {
    std::vector<std::string> names;
    for (const auto& r : a.reasons) names.emplace_back(projections::Name(r.reason));
    return names;
  };

  const AlertEvent& a = raised("stop-A");
  CHECK(by_customer["stop-A"].size() == 1);
  CHECK(projections::TierName(a.tier) == "A");
  CHECK(a.action == "win back now: senior agent contact within 24 h");
  CHECK(reasons(a) == std::vector<std::string>{"overdue", "frequency_decline"});
  CHECK(a.reasons[0].detail == "14 days since last purchase, usual interval 7");
  CHECK(a.triggering_event_id.rfind("e-stop-A-", 0) == 0);

  const AlertEvent& d = raised("stop-D");
  CHECK(by_customer["stop-D"].size() == 1);
  CHECK(projections::TierName(d.tier) == "D");
  CHECK(d.action == "no special effort");
  CHECK(reasons(d) == std::vector<std::string>{"overdue", "frequency_decline"});

  const AlertEvent& b = raised("sat-B");
  REQUIRE(by_customer["sat-B"].size() == 2);
  CHECK(projections::TierName(b.tier) == "B");
  CHECK(b.action == "win back now: senior agent contact within 24 h");
  CHECK(reasons(b) == std::vector<std::string>{"satisfaction_drop"});
  CHECK(b.at_ms == Day(200) + 12 * kHour);
  CHECK(by_customer["sat-B"][1].kind == AlertKind::kCleared);
  CHECK(by_customer["sat-B"][1].alert_id == b.alert_id);

  const AlertEvent& c = raised("comp-C");
  REQUIRE(by_customer["comp-C"].size() == 2);
  CHECK(projections::TierName(c.tier) == "C");
  CHECK(c.action == "win back if the cause is fixable");
  CHECK(reasons(c) == std::vector<std::string>{"complaints"});
  CHECK(c.reasons[0].detail == "3 complaints in 30 days");
  CHECK(by_customer["comp-C"][1].kind == AlertKind::kCleared);

  for (const Message& m : first) CHECK(m.value.size() > 0);
  const auto second = RunOnce(history, 6);
  CHECK(second == first);  // same partitions, offsets, keys and bytes
}

constexpr const char* kHookSecret = "hook-secret-0123456789";
constexpr const char* kDeadSecret = "dead-secret-0123456789";

// What a receiver checks, computed here with OpenSSL itself: "sha256=" and the hex
// HMAC-SHA256 of timestamp "." body under the webhook's secret.
bool SignedBy(const httplib::Request& request, const std::string& secret) {
  const std::string timestamp = request.get_header_value("X-Rapport-Timestamp");
  const std::string message = timestamp + "." + request.body;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest, &size);
  char hex[2 * EVP_MAX_MD_SIZE + 1] = {};
  for (unsigned int i = 0; i < size; ++i) std::snprintf(hex + 2 * i, 3, "%02x", digest[i]);
  const auto now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  return !timestamp.empty() && std::abs(now - std::stoll(timestamp)) < 300 &&
         request.get_header_value("X-Rapport-Signature") == std::string("sha256=") + hex;
}

// A webhook receiver on 127.0.0.1: /hook fails twice, then accepts; /dead fails
// until dead_accepts. Both refuse (401) a delivery whose signature does not verify.
struct Receiver {
  Receiver() {
    server.Post("/hook", [this](const httplib::Request& request, httplib::Response& response) {
      std::lock_guard lock(mutex);
      if (RefusedUnsigned(request, kHookSecret, response)) return;
      if (++hook_calls <= 2) {
        response.status = 500;
        return;
      }
      bodies.push_back(request.body);
      response.status = 204;
    });
    server.Post("/dead", [this](const httplib::Request& request, httplib::Response& response) {
      std::lock_guard lock(mutex);
      if (RefusedUnsigned(request, kDeadSecret, response)) return;
      ++dead_calls;
      if (dead_accepts) {
        redriven.push_back(request.body);
        response.status = 204;
        return;
      }
      response.status = 503;
    });
    port = server.bind_to_any_port("127.0.0.1");
    thread = std::thread([this] { server.listen_after_bind(); });
  }
  ~Receiver() {
    server.stop();
    thread.join();
  }
  // 401 for a delivery whose signature does not verify (under `mutex`).
  bool RefusedUnsigned(const httplib::Request& request, const std::string& secret,
                       httplib::Response& response) {
    if (SignedBy(request, secret)) return false;
    ++unsigned_calls;
    response.status = 401;
    return true;
  }
  httplib::Server server;
  std::thread thread;
  int port = 0;
  std::mutex mutex;
  int hook_calls = 0, dead_calls = 0, unsigned_calls = 0;
  bool dead_accepts = false;
  std::vector<std::string> bodies, redriven;
};

TEST_CASE("churn alerts arrive over Server-Sent Events and at webhooks, with retries and dead letters",
          "[integration][churn]") {
  Receiver receiver;
  testing::TempDir dir;
  auto config = ChurnConfig(dir);
  config.kafka.partitions = 2;
  const std::string base = "http://127.0.0.1:" + std::to_string(receiver.port);
  config.domain.churn.webhook_urls = base + "/hook," + base + "/dead";
  config.domain.churn.webhook_secrets = std::string(kHookSecret) + "," + kDeadSecret;
  config.domain.churn.webhook_allow_hosts = "127.0.0.1";  // the receiver is on loopback
  config.domain.churn.webhook_max_attempts = 3;
  config.domain.churn.webhook_backoff_ms = 10;
  config.domain.churn.webhook_backoff_max_ms = 40;
  auto platform = testing::StartEmbeddedPlatform(config);
  REQUIRE(testing::WaitFor([&] { return platform->ready(); }));

  // Subscribe before anything happens: the stream carries alerts raised from now on.
  std::mutex mutex;
  std::string stream;
  std::atomic<bool> got{false};
  std::thread sse([&] {
    httplib::Client client("127.0.0.1", platform->http_port());
    client.set_read_timeout(60, 0);
    testing::UseAdminToken(client, platform->config().data_dir);
    client.Get("/v1/alerts/stream", [&](const char* data, size_t size) {
      std::lock_guard lock(mutex);
      stream.append(data, size);
      if (stream.find("event: alert_raised") != std::string::npos) got = true;
      return !got;
    });
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));

  std::vector<Event> history = {Buy("quiet", Day(0), 500), Buy("quiet", Day(10), 500)};
  for (int i = 0; i < 20; ++i) {
    for (int d = 0; d <= 40; d += 5)
      history.push_back(Buy("busy-" + std::to_string(i), Day(d) + i * kHour, 100));
  }
  std::stable_sort(history.begin(), history.end(),
                   [](const Event& x, const Event& y) { return x.occurred_at_ms < y.occurred_at_ms; });
  Publish(*platform, history);

  REQUIRE(testing::WaitFor([&] { return got.load(); }));
  sse.join();
  {
    std::lock_guard lock(mutex);
    CHECK(stream.find("id: 1\n") != std::string::npos);
    const size_t data = stream.find("data: ");
    REQUIRE(data != std::string::npos);
    auto alert = nlohmann::json::parse(stream.substr(data + 6, stream.find('\n', data) - data - 6));
    CHECK(alert["customer_id"] == "quiet");
    CHECK(alert["type"] == "alert_raised");
    CHECK(alert["reasons"][0]["detail"] == "20 days since last purchase, usual interval 10");
  }

  // Resume: Last-Event-ID 0 replays from the first alert.
  {
    httplib::Client client("127.0.0.1", platform->http_port());
    testing::UseAdminToken(client, platform->config().data_dir);
    std::string resumed;
    client.Get("/v1/alerts/stream", httplib::Headers{{"Last-Event-ID", "0"}},
               [&](const char* data, size_t size) {
                 resumed.append(data, size);
                 return resumed.find("\n\n") == std::string::npos;
               });
    CHECK(resumed.rfind("id: 1\n", 0) == 0);
  }

  // The webhook got it after two failures; the dead URL got a dead-letter record.
  REQUIRE(testing::WaitFor([&] {
    std::lock_guard lock(receiver.mutex);
    return !receiver.bodies.empty() && receiver.dead_calls >= 3;
  }));
  {
    std::lock_guard lock(receiver.mutex);
    auto alert = nlohmann::json::parse(receiver.bodies.front());
    CHECK(alert["customer_id"] == "quiet");
    CHECK(receiver.hook_calls == 3);
  }
  auto follower = projections::Store::Open(dir.path() / "churn", projections::OpenMode::kSecondary);
  REQUIRE(follower.ok());
  REQUIRE(testing::WaitFor([&] {
    (void)(*follower)->CatchUp();
    auto dead = projections::ReadWebhookDeadLetters(**follower);
    return dead.ok() && !dead->empty() && (*dead)[0]["url"] == base + "/dead" && (*dead)[0]["attempts"] == 3;
  }));
  {
    std::lock_guard lock(receiver.mutex);
    CHECK(receiver.unsigned_calls == 0);
  }

  // `rapport webhooks failed` lists the dead letters; `redrive` sends them again
  // through the running platform, and the delivered ones leave the list.
  const auto run = [&](std::vector<std::string> args, const std::string& log) {
    args.insert(args.begin(), testing::kRapportBinary);
    args.insert(args.end(), {"--data-dir", platform->config().data_dir});
    testing::ChildProcess command(args, dir.path() / log);
    REQUIRE(testing::WaitFor([&] { return !command.running(); }, std::chrono::seconds(120)));
    return command.output();
  };
  const std::string failed = run({"webhooks", "failed"}, "failed-1.log");
  CHECK(failed.find(base + "/dead") != std::string::npos);
  {
    std::lock_guard lock(receiver.mutex);
    receiver.dead_accepts = true;
  }
  const std::string redrive = run({"webhooks", "redrive"}, "redrive.log");
  INFO(redrive);
  CHECK(redrive.find("redriven ") != std::string::npos);
  CHECK(redrive.find("failed again 0") != std::string::npos);
  {
    std::lock_guard lock(receiver.mutex);
    CHECK(!receiver.redriven.empty());
    CHECK(receiver.unsigned_calls == 0);
  }
  REQUIRE(testing::WaitFor([&] {
    (void)(*follower)->CatchUp();
    auto dead = projections::ReadWebhookDeadLetters(**follower);
    return dead.ok() && dead->empty();
  }));
}

TEST_CASE("webhooks: a target on loopback, link-local or a private range is refused unless allowlisted",
          "[integration][churn][webhooks]") {
  projections::ChurnSettings settings;
  settings.webhook_urls = "http://127.0.0.1:9/hook";
  settings.webhook_secrets = kHookSecret;
  auto refused = services::ParseWebhookTargets(settings);
  REQUIRE(!refused.ok());
  CHECK(refused.status().field() == "domain.churn.webhooks.urls");
  CHECK(refused.status().ToString().find("domain.churn.webhooks.allow_hosts") != std::string::npos);
  for (const char* internal :
       {"http://10.1.2.3/", "http://192.168.0.10/", "http://172.20.0.1/", "http://169.254.169.254/latest",
        "https://[::1]:8443/", "http://localhost:8080/"}) {
    INFO(internal);
    CHECK(services::CheckWebhookHost(services::ParseWebhookUrls(internal)->front().host, "").code() ==
          StatusCode::kInvalidArgument);
  }
  CHECK(services::CheckWebhookHost("8.8.8.8", "").ok());
  settings.webhook_allow_hosts = "127.0.0.1";
  CHECK(services::ParseWebhookTargets(settings).ok());

  // A URL without its secret, or a short one, names the secrets setting.
  settings.webhook_secrets = "";
  CHECK(services::ParseWebhookTargets(settings).status().field() == "domain.churn.webhooks.secrets");
  settings.webhook_secrets = "short";
  CHECK(services::ParseWebhookTargets(settings).status().field() == "domain.churn.webhooks.secrets");

  // The platform refuses to start the churn projection with such a target.
  testing::TempDir dir;
  auto config = ChurnConfig(dir);
  config.domain.churn.webhook_urls = "http://127.0.0.1:9/hook";
  config.domain.churn.webhook_secrets = kHookSecret;
  auto platform =
      services::Platform::Start(config, services::Roles{.embedded_broker = true, .projections = {"churn"}});
  REQUIRE(!platform.ok());
  CHECK(platform.status().field() == "domain.churn.webhooks.urls");
}

}  // namespace
}  // namespace rapport
