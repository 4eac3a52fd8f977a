// Bad input on the topic: raw bytes published straight to the embedded broker
// (as any Kafka client could) end as dead-letter records carrying the source, the
// reason and the original bytes, and the events after them are still applied. Then
// the operator's side: `rapport dlq` reads the records, and replay re-drives one
// after a fix, exactly once.

#include <flatbuffers/flatbuffers.h>
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <thread>
#include <tuple>

#include "events/dead_letter.h"
#include "events/embedded_broker.h"
#include "events/json_codec.h"
#include "events/publisher.h"
#include "events/time_format.h"
#include "events/wire_codec.h"
#include "projections/runtime/projector.h"
#include "schemas/interaction_generated.h"
#include "services/ingest/gateway.h"
#include "services/ops/dead_letter_tool.h"
#include "tests/support/broker_with_publisher.h"
#include "tests/support/embedded_platform.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait.h"

namespace rapport {
namespace {

namespace wire = ::rapport::wire;
using events::Event;

constexpr int64_t kMarch2026 = 1'772'359'200'000;

Event Purchase(const std::string& customer, const std::string& id, int64_t amount, int64_t at = kMarch2026) {
  Event e;
  e.event_id = EventId(id);
  e.customer_id = CustomerId(customer);
  e.occurred_at_ms = at;
  e.channel = events::Channel::kWeb;
  e.payload = events::Purchase{"o-" + id, amount, 0, "EUR", 1, "shoes"};
  return e;
}

// A purchase envelope built by hand, so each field can be what no encoder of ours
// would write.
struct RawPurchase {
  uint16_t schema_version = events::kSchemaVersion;
  std::string event_id = "raw";
  std::string customer_id = "poison";
  int8_t channel = 1;
  int64_t amount = 100;
  std::string category = "shoes";
  std::string order_id = "o-raw";
  uint8_t payload_type = static_cast<uint8_t>(wire::Payload::Purchase);
};

std::string Encode(const RawPurchase& raw) {
  flatbuffers::FlatBufferBuilder b;
  auto payload = wire::CreatePurchase(b, b.CreateString(raw.order_id), raw.amount, 0, b.CreateString("EUR"),
                                      1, b.CreateString(raw.category))
                     .Union();
  auto envelope = wire::CreateEnvelope(
      b, raw.schema_version, b.CreateString(raw.event_id), b.CreateString(raw.customer_id), kMarch2026, 0,
      static_cast<wire::Channel>(raw.channel), 0, static_cast<wire::Payload>(raw.payload_type), payload);
  wire::FinishEnvelopeBuffer(b, envelope);
  return std::string(reinterpret_cast<const char*>(b.GetBufferPointer()), b.GetSize());
}

struct Poison {
  std::string name;
  std::string bytes;
  std::string error;  // expected in the dead-letter record's error
};

std::vector<Poison> Poisons() {
  std::vector<Poison> out;
  const std::string good = events::EncodeWire(Purchase("poison", "p-good", 1));
  out.push_back({"truncated", good.substr(0, good.size() / 2), "corruption"});
  std::mt19937 random(5);
  std::string noise(300, '\0');
  for (char& c : noise) c = static_cast<char>(random());
  out.push_back({"random bytes", noise, "corruption"});
  // The identifier is right but the root offset points far outside the buffer.
  std::string lying = good;
  lying[0] = '\xff';
  lying[1] = '\xff';
  lying[2] = '\x00';
  out.push_back({"bad root offset", lying, "verification"});
  out.push_back({"empty value", "", "corruption"});
  out.push_back({"schema version 2", Encode({.schema_version = 2, .event_id = "p-v2"}), "schema_version"});
  out.push_back(
      {"unknown event type", Encode({.event_id = "p-type", .payload_type = 42}), "unknown payload type"});
  out.push_back({"no payload", Encode({.event_id = "p-none", .payload_type = 0}), "type"});
  out.push_back({"invalid UTF-8", Encode({.event_id = "p-utf8", .category = "sh\xff\xfeoes"}),
                 "category: must be UTF-8"});
  out.push_back({"huge string", Encode({.event_id = "p-huge", .order_id = std::string(200'000, 'x')}),
                 "order_id: must be at most"});
  out.push_back({"negative amount", Encode({.event_id = "p-neg", .amount = -5}), "amount: must be >= 0"});
  out.push_back({"invalid channel", Encode({.event_id = "p-chan", .channel = 99}), "channel"});
  out.push_back({"non-ASCII event id", Encode({.event_id = "p\x01id"}), "event_id"});
  out.push_back({"customer id too long",
                 Encode({.event_id = "p-cust", .customer_id = std::string(5000, 'c')}), "customer_id"});
  return out;
}

// The status of an answer; 0 when there was none (the connection failed).
int StatusOf(const httplib::Result& answer) { return answer ? answer->status : 0; }

int64_t JsonField(httplib::Client& client, const std::string& customer, const char* field) {
  auto response = client.Get(("/v1/customers/" + customer).c_str());
  if (!response || response->status != 200) return -1;
  return nlohmann::json::parse(response->body)[field].get<int64_t>();
}

std::vector<services::DeadLetterRecord> RecordsOf(const events::KafkaSettings& kafka,
                                                  const std::string& consumer) {
  auto records = services::ReadDeadLetters(kafka);
  REQUIRE(records.ok());
  std::vector<services::DeadLetterRecord> out;
  for (auto& record : *records) {
    if (record.consumer == consumer) out.push_back(std::move(record));
  }
  return out;
}

TEST_CASE(
    "poison: every kind of bad message is dead-lettered with its source and bytes, and later events apply",
    "[integration][poison]") {
  testing::TempDir dir;
  auto config = testing::TestConfig(dir);
  auto platform = testing::StartReadyPlatform(config);
  auto client = testing::HttpClient(*platform);
  // A plain producer, as an outside client: bytes exactly as given, all keyed to
  // one customer so they share a partition with the good events after them.
  testing::ExternalClient raw(*platform, "raw-client");
  const events::KafkaSettings& kafka = raw.kafka;
  const std::vector<Poison> poisons = Poisons();
  std::vector<events::OutgoingMessage> messages;
  for (const Poison& poison : poisons)
    messages.push_back({kafka.topics.interactions, "poison", poison.bytes, 0, {}});
  // Good events after the poison: a duplicate (a publisher retry) and one that
  // happened earlier than the one before it (out of order) are both fine.
  messages.push_back(services::ToKafkaMessage(Purchase("poison", "g-1", 100), kafka.topics.interactions));
  messages.push_back(services::ToKafkaMessage(Purchase("poison", "g-1", 100), kafka.topics.interactions));
  messages.push_back(services::ToKafkaMessage(Purchase("poison", "g-2", 50, kMarch2026 - 86'400'000),
                                              kafka.topics.interactions));
  // The envelope's schema_version decides, not the (informational) Kafka header.
  auto header_says_99 = services::ToKafkaMessage(Purchase("poison", "g-h", 1000), kafka.topics.interactions);
  for (auto& [name, value] : header_says_99.headers) {
    if (name == events::kHeaderSchemaVersion) value = "99";
  }
  messages.push_back(header_says_99);
  std::vector<events::Delivery> deliveries;
  REQUIRE(raw.publisher->PublishAndWait(messages, &deliveries).ok());

  REQUIRE(testing::WaitFor([&] { return JsonField(client, "poison", "purchases") == 3; }));
  CHECK(JsonField(client, "poison", "revenue") == 1150);
  auto stats = platform->ReadinessJson()["projectors"]["customer-view"];
  CHECK(stats["dead_lettered"] == poisons.size());
  CHECK(stats["duplicates"] == 1);

  const auto records = RecordsOf(kafka, "rapport.customer-view");
  REQUIRE(records.size() == poisons.size());
  std::map<int64_t, const services::DeadLetterRecord*> by_offset;
  for (const auto& record : records) by_offset[record.source_offset] = &record;
  for (size_t i = 0; i < poisons.size(); ++i) {
    INFO(poisons[i].name);
    auto it = by_offset.find(deliveries[i].offset.value());
    REQUIRE(it != by_offset.end());
    const services::DeadLetterRecord& record = *it->second;
    CHECK(record.source_topic == kafka.topics.interactions);
    CHECK(record.source_partition == deliveries[i].partition.value());
    CHECK(record.value == poisons[i].bytes);
    CHECK(record.key == "poison");
    CHECK_THAT(record.error, Catch::Contains(poisons[i].error));
    CHECK_FALSE(record.replayed_by.has_value());
    // `show` never throws on what it quotes, and decodes nothing that failed.
    auto shown = services::DeadLetterJson(record);
    CHECK(shown["hex"] == services::ToHex(poisons[i].bytes));
    CHECK(shown.contains("decode_error"));
  }
  // The platform is still serving and taking events.
  CHECK(StatusOf(client.Post("/v1/events", events::EncodeJsonEvent(Purchase("poison", "g-3", 1)),
                             "application/json")) == 202);
  CHECK(testing::WaitFor([&] { return JsonField(client, "poison", "revenue") == 1151; }));
}

TEST_CASE("poison: bad JSON at the gateway is a 400 naming the line, the field and the reason",
          "[integration][poison]") {
  testing::TempDir dir;
  auto platform = testing::StartEmbeddedPlatform(testing::TestConfig(dir));
  auto client = testing::HttpClient(*platform);
  auto good = events::EventToJson(Purchase("http-c", "h-1", 100));

  struct Case {
    std::string name;
    std::string body;
    std::string field;
  };
  auto with = [&](const char* field, nlohmann::json value) {
    auto copy = good;
    copy[field] = std::move(value);
    return copy.dump();
  };
  std::vector<Case> cases = {
      {"truncated", good.dump().substr(0, 40), ""},
      {"random bytes", "\x13\x99\xfe garbage {", ""},
      {"negative amount", with("amount", -5), "amount"},
      {"unknown type", with("type", "teleport"), "type"},
      {"huge string", with("category", std::string(100'000, 'x')), "category"},
      {"huge id", with("customer_id", std::string(1'000, 'x')), "customer_id"},
      {"invalid channel", with("channel", "pigeon"), "channel"},
      {"amount as text", with("amount", "12"), "amount"},
      {"unknown field", with("amonut", 5), "amonut"},
      // Raw invalid UTF-8 bytes inside a JSON string.
      {"invalid UTF-8", "{\"event_id\":\"h-2\",\"customer_id\":\"c\xff\xfe\"}", ""},
      // Bounded input (issue 16).
      {"dated tomorrow", with("occurred_at", events::FormatRfc3339(services::WallClockMillis() + 86'400'000)),
       "occurred_at"},
      {"customer id with a slash", with("customer_id", "shop/42"), "customer_id"},
      {"customer id with a control character", with("customer_id", "c\u0001"), "customer_id"},
      {"customer id with an escaped lone surrogate", R"({"event_id":"h-3","customer_id":"c\udc00"})", ""},
      {"amount above 10^15", with("amount", 1'000'000'000'000'001), "amount"},
      {"cost above 10^15", with("cost", 9'000'000'000'000'000'000ULL), "cost"},
      {"nested 9 deep", with("category", nlohmann::json::parse("[[[[[[[[1]]]]]]]]")), "category"},
      {"a million brackets", std::string(1'000'000, '['), ""},
      // The reason quotes the value cut at 40 bytes: inside the 'é' here.
      {"echo cut inside a character", with("channel", std::string(39, 'x') + "\xc3\xa9"), "channel"},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    auto response = client.Post("/v1/events", c.body, "application/json");
    REQUIRE(response);
    CHECK(response->status == 400);
    auto json = nlohmann::json::parse(response->body);
    CHECK(json["error"] == "invalid_argument");
    CHECK_FALSE(json["reason"].get<std::string>().empty());
    if (!c.field.empty()) CHECK(json["field"] == c.field);
  }
  // In a batch, the bad line is named and nothing of the batch is published.
  std::string batch = good.dump() + "\n" + with("amount", -1) + "\n";
  auto response = client.Post("/v1/events", batch, "application/x-ndjson");
  REQUIRE(response);
  CHECK(response->status == 400);
  auto json = nlohmann::json::parse(response->body);
  CHECK(json["line"] == 2);
  CHECK(json["field"] == "amount");
  CHECK(JsonField(client, "http-c", "purchases") == -1);

  // A line over 64 KiB is named; so is an event dated in the future, after good
  // lines; nothing of either batch is published.
  std::string padded = good.dump();
  padded.append(events::kMaxNdjsonLineBytes + 1 - padded.size(), ' ');
  auto future = good;
  future["event_id"] = "h-future";
  future["occurred_at"] = events::FormatRfc3339(services::WallClockMillis() + 2 * 3'600'000);
  for (const auto& [body, line, field] :
       {std::tuple<std::string, int, std::string>{good.dump() + "\n" + padded + "\n", 2, ""},
        {good.dump() + "\n\n" + future.dump() + "\n", 3, "occurred_at"}}) {
    INFO("line " << line);
    auto batch_response = client.Post("/v1/events", body, "application/x-ndjson");
    REQUIRE(batch_response);
    CHECK(batch_response->status == 400);
    auto batch_json = nlohmann::json::parse(batch_response->body);
    CHECK(batch_json["line"] == line);
    if (!field.empty()) CHECK(batch_json["field"] == field);
  }
  // Within the skew is fine (clocks differ a little).
  auto soon = good;
  soon["occurred_at"] = events::FormatRfc3339(services::WallClockMillis() + 60'000);
  CHECK(StatusOf(client.Post("/v1/events", soon.dump(), "application/json")) == 202);
  CHECK(testing::WaitFor([&] { return JsonField(client, "http-c", "purchases") == 1; }));
}

TEST_CASE("poison: bad query parameters and customer ids in a path are a 400 naming them, on every route",
          "[integration][poison]") {
  testing::ReadyPlatform ready;
  auto& [dir, platform, client] = ready;
  struct Case {
    std::string path;
    std::string field;
  };
  const std::vector<Case> cases = {
      {"/v1/customers/c-1?pretty=1", "pretty"},
      {"/v1/customers?tier=A&tier=B", "tier"},
      {"/v1/customers?colour=red", "colour"},
      {"/v1/segments/pyramid?x=1", "x"},
      {"/v1/segments/rfm?limit=1", "limit"},
      {"/v1/segments/loyalty?x=1", "x"},
      {"/v1/customers/c-1/loyalty?x=1", "x"},
      {"/v1/customers/c-1/satisfaction?at=1", "at"},
      {"/v1/customers/c-1/alerts?status=open", "status"},
      {"/v1/trends/satisfaction?bucket=month&bucket=week", "bucket"},
      {"/v1/alerts?status=open&status=cleared", "status"},
      {"/v1/alerts?colour=red", "colour"},
      {"/v1/stats/churn?tier=A&tier=B", "tier"},
      {"/v1/stats/churn?x=1", "x"},
      {"/v1/alerts/stream?after=1&after=2", "after"},
      {"/v1/alerts/stream?from=1", "from"},
      // Decoded by the server: an id with invalid UTF-8 or a control character.
      {"/v1/customers/c%FF%FE", "customer_id"},
      {"/v1/customers/c%01", "customer_id"},
      {"/v1/customers/c%FF/loyalty", "customer_id"},
      {"/v1/customers/c%7F/alerts", "customer_id"},
      {"/v1/customers/c%C3/satisfaction", "customer_id"},
  };
  for (const Case& c : cases) {
    INFO(c.path);
    auto response = client.Get(c.path.c_str());
    REQUIRE(response);
    CHECK(response->status == 400);
    auto json = nlohmann::json::parse(response->body);
    CHECK(json["error"] == "invalid_argument");
    CHECK(json["field"] == c.field);
  }
}

TEST_CASE(
    "poison: an event dated in the future written to Kafka directly is dead-lettered and moves no watermark",
    "[integration][poison]") {
  testing::ReadyPlatform ready;
  auto& [dir, platform, client] = ready;
  testing::ExternalClient raw(*platform, "raw-future");
  const events::KafkaSettings& kafka = raw.kafka;
  const int64_t far_future = services::WallClockMillis() + 365LL * 86'400'000;  // a year ahead
  std::vector<events::OutgoingMessage> messages = {
      services::ToKafkaMessage(Purchase("future", "f-1", 100), kafka.topics.interactions),
      services::ToKafkaMessage(Purchase("future", "f-2", 999, far_future), kafka.topics.interactions),
      services::ToKafkaMessage(Purchase("future", "f-3", 10), kafka.topics.interactions),
  };
  REQUIRE(raw.publisher->PublishAndWait(messages).ok());
  REQUIRE(testing::WaitFor([&] { return JsonField(client, "future", "purchases") == 2; }));
  CHECK(JsonField(client, "future", "revenue") == 110);
  auto view = nlohmann::json::parse(client.Get("/v1/customers/future")->body);
  CHECK(view["as_of"] == events::FormatRfc3339(kMarch2026));  // the watermark stayed at the real events

  // Every projector refused it, with the reason.
  REQUIRE(testing::WaitFor([&] {
    for (const auto& [name, stats] : platform->ReadinessJson()["projectors"].items()) {
      if (stats["dead_lettered"] != 1) return false;
    }
    return true;
  }));
  const auto records = RecordsOf(kafka, "rapport.customer-view");
  REQUIRE(records.size() == 1);
  CHECK(records[0].key == "future");
  CHECK_THAT(records[0].error, Catch::Contains("occurred_at"));
  CHECK_THAT(records[0].error, Catch::Contains("after the consumer's clock"));
}

// A projection whose fold fails for chosen event ids, as a bug would, until fixed.
class FlakyProjection final : public projections::Projection {
 public:
  std::string_view name() const override { return "flaky"; }
  Status Apply(const Event& event, const projections::EventSource&) override {
    std::lock_guard lock(mutex_);
    if (broken_.contains(event.event_id.str()))
      return Status::Internal("fold failed for " + event.event_id.str());
    ++applied_[event.event_id.str()];
    return Status::Ok();
  }
  Status Checkpoint(rocksdb::WriteBatch&) override { return Status::Ok(); }
  void DropCache() override {}

  void Break(const std::string& id) {
    std::lock_guard lock(mutex_);
    broken_.insert(id);
  }
  void Fix() {
    std::lock_guard lock(mutex_);
    broken_.clear();
  }
  int Applied(const std::string& id) {
    std::lock_guard lock(mutex_);
    return applied_[id];
  }

 private:
  std::mutex mutex_;
  std::set<std::string> broken_;
  std::map<std::string, int> applied_;
};

// Runs a command; its stdout and exit code.
std::pair<std::string, int> Run(const std::string& command) {
  std::string out;
  FILE* pipe = popen((command + " 2>/dev/null").c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buffer[4096];
  size_t n = 0;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) out.append(buffer, n);
  const int status = pclose(pipe);
  return {out, WIFEXITED(status) ? WEXITSTATUS(status) : -1};
}

TEST_CASE("dlq: a fold error is dead-lettered, replay after the fix applies it once, twice only when forced",
          "[integration][poison][dlq]") {
  testing::BrokerWithPublisher cluster(3, {{"rapport.interactions", 4, 3}, {"rapport.dead-letter", 2, 3}},
                                       "test", 6000);
  const events::KafkaSettings& kafka = cluster.kafka;
  events::Publisher& publisher = *cluster.publisher;
  testing::TempDir dir;
  auto store = projections::Store::Open(dir.path() / "flaky", projections::OpenMode::kReadWrite);
  REQUIRE(store.ok());
  FlakyProjection projection;
  projection.Break("e-2");
  auto projector = projections::Projector::Create(kafka, {}, **store, projection, publisher);
  REQUIRE(projector.ok());
  std::thread runner([&] { (void)(*projector)->Run(); });
  struct Join {
    projections::Projector& projector;
    std::thread& thread;
    ~Join() {
      projector.Stop();
      thread.join();
    }
  } join{**projector, runner};

  std::vector<events::OutgoingMessage> messages;
  for (const char* id : {"e-1", "e-2", "e-3"}) {
    messages.push_back(services::ToKafkaMessage(Purchase("c-1", id, 10), kafka.topics.interactions));
  }
  std::vector<events::Delivery> deliveries;
  REQUIRE(publisher.PublishAndWait(messages, &deliveries).ok());
  // Folded, and the dead letter acknowledged (it is sent before the checkpoint).
  REQUIRE(testing::WaitFor(
      [&] { return (*projector)->stats().dead_lettered == 1 && projection.Applied("e-3") == 1; }));
  CHECK(projection.Applied("e-1") == 1);
  CHECK(projection.Applied("e-2") == 0);

  auto records = RecordsOf(kafka, "rapport.flaky");
  REQUIRE(records.size() == 1);
  CHECK(records[0].source_offset == deliveries[1].offset.value());
  CHECK_THAT(records[0].error, Catch::Contains("fold failed for e-2"));
  CHECK(services::DeadLetterJson(records[0])["envelope"]["event_id"] == "e-2");

  // Unknown ids are refused before anything is published.
  auto unknown = services::ReplayDeadLetters(kafka, publisher, records, {"7:7"}, false, false);
  CHECK(unknown.status().code() == StatusCode::kInvalidArgument);

  projection.Fix();
  auto replayed = services::ReplayDeadLetters(kafka, publisher, records, {records[0].id}, false, false);
  REQUIRE(replayed.ok());
  CHECK(replayed->replayed == std::vector<std::string>{records[0].id});
  REQUIRE(testing::WaitFor([&] { return projection.Applied("e-2") == 1; }));

  // The marker is on the topic: a second replay (even of --all) skips it.
  auto after = RecordsOf(kafka, "rapport.flaky");
  REQUIRE(after.size() == 1);
  REQUIRE(after[0].replayed_by.has_value());
  auto again = services::ReplayDeadLetters(kafka, publisher, after, {}, true, false);
  REQUIRE(again.ok());
  CHECK(again->replayed.empty());
  CHECK(again->skipped == std::vector<std::string>{after[0].id});

  // Forced, it is published again, and the projector's de-duplication counts it once.
  const int64_t duplicates_before = (*projector)->stats().duplicates;
  auto forced = services::ReplayDeadLetters(kafka, publisher, after, {after[0].id}, false, true);
  REQUIRE(forced.ok());
  CHECK(forced->replayed.size() == 1);
  CHECK(testing::WaitFor([&] { return (*projector)->stats().duplicates == duplicates_before + 1; }));
  CHECK(projection.Applied("e-2") == 1);

  // The same through the binary, as an operator types it.
  const std::string brokers = " --brokers " + kafka.bootstrap_servers;
  auto [listed, list_code] = Run(std::string(RAPPORT_BINARY) + " dlq list" + brokers);
  CHECK(list_code == 0);
  CHECK_THAT(listed, Catch::Contains(after[0].id + "  rapport.interactions[" +
                                     std::to_string(deliveries[1].partition.value()) + "]@" +
                                     std::to_string(deliveries[1].offset.value())));
  CHECK_THAT(listed, Catch::Contains("replayed  internal: fold failed for e-2"));
  auto [shown, show_code] = Run(std::string(RAPPORT_BINARY) + " dlq show " + after[0].id + brokers);
  CHECK(show_code == 0);
  auto shown_json = nlohmann::json::parse(shown);
  CHECK(shown_json["envelope"]["event_id"] == "e-2");
  CHECK(shown_json["base64"] == services::ToBase64(messages[1].value));
  auto [skipped, replay_code] = Run(std::string(RAPPORT_BINARY) + " dlq replay --all" + brokers);
  CHECK(replay_code == 0);
  CHECK_THAT(skipped, Catch::Contains("skipped " + after[0].id));
  CHECK(Run(std::string(RAPPORT_BINARY) + " dlq show 9:9" + brokers).second == 2);
  CHECK(Run(std::string(RAPPORT_BINARY) + " dlq replay" + brokers).second == 2);
}

}  // namespace
}  // namespace rapport
