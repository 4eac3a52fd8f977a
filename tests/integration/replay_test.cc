// Analysts' replays (services/analyst/replay.h) against a real event journal and real
// RocksDB stores, with the embedded platform where the live side matters: as-of
// cuts, resuming, live == replay to the same offsets, what-if + diff, export ->
// publish -> rebuild, and a head that only the journal still holds.

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "projections/customer_view/customer_view_projection.h"
#include "storage/journal.h"
#include "storage/offsets.h"
#include "services/analyst/history_export.h"
#include "services/platform/projection_registry.h"
#include "services/analyst/replay.h"
#include "services/analyst/store_diff.h"
#include "tests/support/embedded_platform.h"
#include "tests/support/event_builders.h"
#include "tests/support/journal_entries.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait.h"
#include "tests/support/store_contents.h"

namespace rapport {
namespace {

using testing::Contents;

using events::Event;
using projections::Family;
using projections::Store;
using testing::Day;

constexpr std::string_view kTopic = "rapport.interactions";

// Writes events into <data_dir>/journal the way the gateway does: partition by
// customer, offsets in order, in the order given.
class JournalWriter {
 public:
  JournalWriter(const std::filesystem::path& data_dir, int partitions) : entries_(partitions) {
    auto journal = projections::Journal::Open(data_dir / "journal", projections::OpenMode::kReadWrite);
    REQUIRE(journal.ok());
    journal_ = std::move(journal).value();
  }
  void Append(const std::vector<Event>& events) {
    std::vector<projections::JournalEntry> entries;
    for (const Event& e : events) entries.push_back(entries_.Next(e));
    REQUIRE(journal_->Append(entries, false).ok());
  }
  // A record that does not decode, at the next offset of `customer`'s partition.
  void AppendGarbage(const std::string& customer) {
    std::vector<projections::JournalEntry> entries{entries_.Raw(customer, "not a flatbuffer", Day(1), "purchase")};
    REQUIRE(journal_->Append(entries, false).ok());
  }

 private:
  testing::GatewayEntries entries_;
  std::unique_ptr<projections::Journal> journal_;
};

std::unique_ptr<Store> Open(const std::filesystem::path& dir, projections::OpenMode mode = projections::OpenMode::kReadOnly) {
  auto store = Store::Open(dir, mode);
  REQUIRE(store.ok());
  return std::move(store).value();
}

// What the query API says about every customer of a customer-view store.
std::map<std::string, nlohmann::json> Described(const Store& store, const projections::DomainSettings& settings = {}) {
  std::map<std::string, nlohmann::json> out;
  for (const auto& [id, bytes] : Contents(store, Family::kState)) {
    auto described = services::DescribeCustomer("customer-view", store, id, settings);
    REQUIRE(described.ok());
    REQUIRE(described->has_value());
    out[id] = **described;
  }
  return out;
}

services::ReplaySummary Replay(services::ReplayRequest request, const services::ReplayControl& control = {}) {
  auto summary = services::RunReplay(request, control);
  if (!summary.ok()) FAIL("replay failed: " << summary.status().ToString());
  return std::move(summary).value();
}

services::ReplayRequest Request(const std::filesystem::path& data_dir, const std::filesystem::path& into,
                                services::ReplayCut cut = {}) {
  services::ReplayRequest request;
  request.projection = "customer-view";
  request.data_dir = data_dir;
  request.into = into;
  request.cut = std::move(cut);
  request.batch_events = 64;
  return request;
}

// The reference: exactly `events` folded straight through the projection, each
// once, in the order given; rankings as of the end.
std::unique_ptr<Store> FoldDirectly(const std::filesystem::path& dir, const std::vector<Event>& events) {
  auto store = Open(dir, projections::OpenMode::kReadWrite);
  auto projection = projections::CustomerViewProjection::Create(*store, projections::DomainSettings{});
  REQUIRE(projection.ok());
  for (const Event& e : events) REQUIRE((*projection)->Apply(e, {Partition(0), Offset(0)}).ok());
  rocksdb::WriteBatch batch;
  REQUIRE((*projection)->Checkpoint(batch).ok());
  REQUIRE(store->Write(batch).ok());
  (*projection)->Committed();
  REQUIRE((*projection)->RefreshRanking().ok());
  return store;
}

// 40 customers buying over 200 days; every 4th event arrives 60 days late (recorded
// long after it occurred), and one is retried (same event id, recorded again later).
struct History {
  std::vector<Event> unique;    // each event once
  std::vector<Event> journaled;  // in recorded_at order, the retry included
};

History LateArrivals() {
  History h;
  for (int c = 0; c < 40; ++c) {
    for (int i = 0; i < 5; ++i) {
      Event e = testing::Purchase("c-" + std::to_string(c), Day(10 + 40 * i + c), 1000 + 100 * c + i);
      e.recorded_at_ms = e.occurred_at_ms + ((c + i) % 4 == 0 ? 60 : 0) * events::kMillisPerDay + 5000;
      h.unique.push_back(e);
    }
  }
  h.journaled = h.unique;
  Event retry = h.unique[7];
  retry.recorded_at_ms += 3 * events::kMillisPerDay;
  h.journaled.push_back(retry);
  std::stable_sort(h.journaled.begin(), h.journaled.end(),
                   [](const Event& a, const Event& b) { return a.recorded_at_ms < b.recorded_at_ms; });
  return h;
}

// The journaled events `keep` selects, each event id once (its first record), in
// journal order: what the live projector would have folded.
std::vector<Event> Select(const std::vector<Event>& journaled, const std::function<bool(const Event&)>& keep) {
  std::vector<Event> out;
  std::set<std::string> seen;
  for (const Event& e : journaled) {
    if (keep(e) && seen.insert(e.event_id.str()).second) out.push_back(e);
  }
  return out;
}

void RequireSameCustomers(const Store& replayed, const Store& expected) {
  CHECK(Contents(replayed, Family::kState) == Contents(expected, Family::kState));
  CHECK(projections::ReadWatermark(replayed).value() == projections::ReadWatermark(expected).value());
  CHECK(Described(replayed) == Described(expected));
}

TEST_CASE("an as-of replay equals a fold of exactly the events up to that instant", "[integration][replay]") {
  testing::TempDir dir;
  const History history = LateArrivals();
  JournalWriter journal(dir.path(), 4);
  journal.Append(history.journaled);
  const int64_t t = Day(120);

  const auto known = Select(history.journaled, [&](const Event& e) { return e.recorded_at_ms <= t; });
  const auto happened = Select(history.journaled, [&](const Event& e) { return e.occurred_at_ms <= t; });
  // The two cuts differ (late arrivals), and both leave events out.
  REQUIRE(known.size() < happened.size());
  REQUIRE(happened.size() < history.unique.size());

  SECTION("--as-known-at keeps what was recorded by T") {
    auto summary = Replay(Request(dir.path(), dir.path() / "known", {.known_at_ms = t}));
    CHECK(summary.complete);
    CHECK(summary.applied == static_cast<int64_t>(known.size()));
    CHECK(summary.read == static_cast<int64_t>(history.journaled.size()));
    auto expected = FoldDirectly(dir.path() / "expected", known);
    RequireSameCustomers(*Open(dir.path() / "known" / "customer-view"), *expected);
  }
  SECTION("--as-happened-by keeps what occurred by T, late arrivals included") {
    auto summary = Replay(Request(dir.path(), dir.path() / "happened", {.happened_by_ms = t}));
    CHECK(summary.applied == static_cast<int64_t>(happened.size()));
    CHECK(summary.duplicates == 1);  // the retry occurred when the original did
    auto expected = FoldDirectly(dir.path() / "expected", happened);
    RequireSameCustomers(*Open(dir.path() / "happened" / "customer-view"), *expected);
  }
  SECTION("no cut: every event once, the retry counted as a duplicate") {
    auto summary = Replay(Request(dir.path(), dir.path() / "full"));
    CHECK(summary.applied == static_cast<int64_t>(history.unique.size()));
    CHECK(summary.duplicates == 1);
    auto expected = FoldDirectly(dir.path() / "expected", Select(history.journaled, [](const Event&) { return true; }));
    RequireSameCustomers(*Open(dir.path() / "full" / "customer-view"), *expected);
  }
}

TEST_CASE("a replay stopped halfway and resumed equals one run", "[integration][replay]") {
  testing::TempDir dir;
  const History history = LateArrivals();
  JournalWriter journal(dir.path(), 4);
  journal.Append(history.journaled);
  journal.AppendGarbage("c-3");  // a dead letter, recorded once across both runs

  auto one_run = Replay(Request(dir.path(), dir.path() / "one"));
  REQUIRE(one_run.complete);
  REQUIRE(one_run.dead_lettered == 1);
  REQUIRE(one_run.dead_letters.size() == 1);
  CHECK(one_run.dead_letters[0].customer_id == "c-3");

  std::atomic<bool> stop{false};
  services::ReplayControl control;
  control.stop = &stop;
  control.on_progress = [&](const services::ReplayProgress& progress) {
    if (progress.done >= progress.total / 2) stop = true;
  };
  auto first = Replay(Request(dir.path(), dir.path() / "two"), control);
  REQUIRE_FALSE(first.complete);
  REQUIRE(first.read > 0);
  REQUIRE(first.read < one_run.read);
  auto second = Replay(Request(dir.path(), dir.path() / "two"));
  REQUIRE(second.complete);
  CHECK(second.resumed);
  CHECK(first.read_this_run + second.read_this_run == one_run.read);
  CHECK(second.read == one_run.read);
  CHECK(second.applied == one_run.applied);
  CHECK(second.dead_lettered == 1);

  auto a = Open(dir.path() / "one" / "customer-view");
  auto b = Open(dir.path() / "two" / "customer-view");
  for (Family family : {Family::kState, Family::kMeta, Family::kIndex, Family::kDedupe}) {
    CHECK(Contents(*a, family) == Contents(*b, family));
  }

  SECTION("running it again does nothing") {
    auto again = Replay(Request(dir.path(), dir.path() / "two"));
    CHECK(again.already_complete);
    CHECK(again.read_this_run == 0);
  }
  SECTION("other arguments into the same directory are refused, naming the difference") {
    auto other = services::RunReplay(Request(dir.path(), dir.path() / "two", {.known_at_ms = Day(50)}));
    REQUIRE_FALSE(other.ok());
    CHECK(other.status().field() == "into");
    CHECK_THAT(other.status().message(), Catch::Contains("--as-known-at was none, now"));
    auto request = Request(dir.path(), dir.path() / "two");
    request.config.domain.state.lost_after_days = 100;
    auto settings = services::RunReplay(request);
    REQUIRE_FALSE(settings.ok());
    CHECK_THAT(settings.status().message(), Catch::Contains("setting domain.state.lost_after_days was 365, now 100"));
  }
}

TEST_CASE("replay arguments are checked, errors name the argument", "[integration][replay]") {
  testing::TempDir dir;
  SECTION("no journal") {
    auto result = services::RunReplay(Request(dir.path(), dir.path() / "out"));
    REQUIRE_FALSE(result.ok());
    CHECK(result.status().field() == "data-dir");
  }
  JournalWriter journal(dir.path(), 2);
  journal.Append({testing::Purchase("c-1", Day(1), 100)});
  SECTION("unknown projection") {
    auto request = Request(dir.path(), dir.path() / "out");
    request.projection = "no-such";
    auto result = services::RunReplay(request);
    REQUIRE_FALSE(result.ok());
    CHECK(result.status().field() == "projection");
    CHECK_THAT(result.status().message(), Catch::Contains("customer-view"));
  }
  SECTION("offsets past the journal's end") {
    auto result =
        services::RunReplay(Request(dir.path(), dir.path() / "out", {.to_offsets = std::map<Partition, Offset>{{Partition(0), Offset(99)}}}));
    REQUIRE_FALSE(result.ok());
    CHECK(result.status().field() == "to-offsets");
  }
  SECTION("the live data directory itself") {
    auto result = services::RunReplay(Request(dir.path(), dir.path()));
    REQUIRE_FALSE(result.ok());
    CHECK(result.status().field() == "into");
  }
  SECTION("a store no replay made") {
    auto live = Open(dir.path() / "other" / "customer-view", projections::OpenMode::kReadWrite);
    REQUIRE(live->Put(Family::kMeta, "offset/rapport.interactions/0", "5").ok());
    live.reset();
    auto result = services::RunReplay(Request(dir.path(), dir.path() / "other"));
    REQUIRE_FALSE(result.ok());
    CHECK(result.status().field() == "into");
  }
  SECTION("the default output directory is inside the data directory and names the cut") {
    auto request = Request(dir.path(), "", {.known_at_ms = Day(1)});
    CHECK(services::DefaultReplayDir(request).parent_path() == dir.path() / "replays");
    CHECK_THAT(services::DefaultReplayDir(request).filename().string(), Catch::StartsWith("customer-view-known-at-"));
  }
}

TEST_CASE("a what-if replay with other thresholds changes exactly the customers it should", "[integration][replay]") {
  testing::TempDir dir;
  JournalWriter journal(dir.path(), 4);
  // One purchase each: `lost` then depends only on domain.state.lost_after_days
  // (the interval rule needs two purchases). The watermark is day 400.
  std::vector<Event> history;
  for (int day : {10, 50, 150, 250, 320, 390}) history.push_back(testing::Purchase("c-" + std::to_string(day), Day(day), 500));
  history.push_back(testing::Purchase("anchor", Day(400), 500));
  journal.Append(history);

  const auto alt = dir.path() / "alt.yaml";
  std::ofstream(alt) << "domain:\n  state:\n    lost_after_days: 100\n";
  services::Config alt_config;
  REQUIRE(services::LoadConfigFile(alt, alt_config).ok());

  Replay(Request(dir.path(), dir.path() / "base"));
  auto what_if = Request(dir.path(), dir.path() / "what-if");
  what_if.config = alt_config;
  auto summary = Replay(what_if);
  CHECK(summary.custom_settings);

  auto base = Open(dir.path() / "base" / "customer-view");
  auto other = Open(dir.path() / "what-if" / "customer-view");
  auto base_settings = services::SettingsOfStore(*base, services::Config{});
  auto other_settings = services::SettingsOfStore(*other, services::Config{});
  REQUIRE(base_settings.ok());
  REQUIRE(other_settings.ok());
  CHECK(other_settings->state.lost_after_days == 100);

  // Default 365 days: lost if the purchase was before day 35; 100 days: before day 300.
  std::map<std::string, std::vector<services::FieldDifference>> changed;
  auto counts = services::DiffStores("customer-view", {base.get(), *base_settings}, {other.get(), *other_settings},
                                     [&](const services::CustomerDifference& d) { changed[d.customer_id] = d.fields; });
  REQUIRE(counts.ok());
  CHECK(counts->customers == 7);
  std::set<std::string> ids;
  for (const auto& [id, fields] : changed) ids.insert(id);
  CHECK(ids == std::set<std::string>{"c-150", "c-250", "c-50"});
  for (const auto& [id, fields] : changed) {
    bool state = false;
    for (const auto& field : fields) {
      if (field.path == "$.state") {
        state = true;
        CHECK(field.left == "current");
        CHECK(field.right == "lost");
      }
    }
    CHECK(state);
  }
  // A store compared with itself differs nowhere.
  auto same = services::DiffStores("customer-view", {base.get(), *base_settings}, {base.get(), *base_settings},
                                   [](const services::CustomerDifference&) {});
  REQUIRE(same.ok());
  CHECK(same->differing == 0);
}

// ---- with the embedded platform ----

services::Config SmallPlatform(const testing::TempDir& dir, int partitions) {
  auto config = testing::TestConfig(dir);
  config.kafka.partitions = partitions;
  return config;
}

int64_t Applied(services::Platform& platform) {
  return platform.ReadinessJson()["projectors"]["customer-view"]["applied"].get<int64_t>();
}

std::vector<Event> Purchases(int customers, int each, int first_day, const std::string& prefix = "p-") {
  std::vector<Event> out;
  for (int i = 0; i < each; ++i) {
    for (int c = 0; c < customers; ++c) {
      Event e = testing::Purchase(prefix + std::to_string(c), Day(first_day + 7 * i) + c * 1000, 100 + c * 10 + i);
      out.push_back(e);
    }
  }
  return out;
}

TEST_CASE("a live projection equals a replay to the same offsets, read while the platform runs",
          "[integration][replay]") {
  testing::TempDir dir;
  auto platform = testing::StartEmbeddedPlatform(SmallPlatform(dir, 3));
  REQUIRE(testing::WaitFor([&] { return platform->ready(); }));
  auto first = Purchases(30, 4, 0);
  REQUIRE(platform->gateway()->Publish(first).ok());
  REQUIRE(testing::WaitFor([&] { return Applied(*platform) == 120; }));

  // The live store at this instant, through a secondary: offsets and state travel
  // in the same batches, so what it shows is consistent.
  auto live = Store::Open(dir.path() / "customer-view", projections::OpenMode::kSecondary, dir.path() / ".test-secondary");
  REQUIRE(live.ok());
  auto offsets = projections::ReadAllOffsets(**live);
  REQUIRE(offsets.ok());
  std::map<Partition, Offset> to;
  for (const auto& po : *offsets) to[po.tp.partition] = po.next_offset;
  REQUIRE(to.size() == 3);
  const auto live_state = Contents(**live, Family::kState);
  const auto live_dedupe = Contents(**live, Family::kDedupe);

  // More history after that instant: the cut must leave it out.
  auto later = Purchases(30, 2, 100);
  REQUIRE(platform->gateway()->Publish(later).ok());
  REQUIRE(testing::WaitFor([&] { return Applied(*platform) == 180; }));

  auto summary = Replay(Request(dir.path(), dir.path() / "replays" / "at-offsets", {.to_offsets = to}));
  REQUIRE(summary.complete);
  CHECK(summary.applied == 120);
  auto replayed = Open(dir.path() / "replays" / "at-offsets" / "customer-view");
  CHECK(Contents(*replayed, Family::kState) == live_state);
  CHECK(Contents(*replayed, Family::kDedupe) == live_dedupe);
  auto replayed_offsets = projections::ReadAllOffsets(*replayed);
  REQUIRE(replayed_offsets.ok());
  for (const auto& po : *replayed_offsets) CHECK(to.at(po.tp.partition) == po.next_offset);

  // The live platform went on, undisturbed.
  REQUIRE((*live)->CatchUp().ok());
  CHECK(Contents(**live, Family::kState) != live_state);
  CHECK(platform->ready());
}

TEST_CASE("export -> publish into a fresh platform -> rebuild gives the same store", "[integration][replay]") {
  testing::TempDir dir_a, dir_b;
  std::string exported;
  {
    auto a = testing::StartEmbeddedPlatform(SmallPlatform(dir_a, 3));
    REQUIRE(testing::WaitFor([&] { return a->ready(); }));
    std::vector<Event> history = Purchases(25, 4, 0);
    for (int c = 0; c < 25; c += 5) {
      history.push_back(testing::Registered("p-" + std::to_string(c), Day(1), "Name, \"quoted\" " + std::to_string(c)));
      history.push_back(testing::Visit("p-" + std::to_string(c), Day(2)));
    }
    REQUIRE(a->gateway()->Publish(history).ok());
    std::ostringstream out;
    auto stats = services::ExportHistory(*a->journal(), {}, out);
    REQUIRE(stats.ok());
    CHECK(stats->written == static_cast<int64_t>(history.size()));
    exported = out.str();
    a->Stop();
  }
  Replay(Request(dir_a.path(), dir_a.path() / "rebuilt"));

  auto b = testing::StartEmbeddedPlatform(SmallPlatform(dir_b, 3));
  REQUIRE(testing::WaitFor([&] { return b->ready(); }));
  auto client = testing::HttpClient(*b);
  auto posted = client.Post("/v1/events", exported, "application/x-ndjson");
  REQUIRE(posted);
  REQUIRE(posted->status == 202);
  Replay(Request(dir_b.path(), dir_b.path() / "rebuilt"));

  auto rebuilt_a = Open(dir_a.path() / "rebuilt" / "customer-view");
  auto rebuilt_b = Open(dir_b.path() / "rebuilt" / "customer-view");
  CHECK(Contents(*rebuilt_a, Family::kState).size() == 25);
  RequireSameCustomers(*rebuilt_b, *rebuilt_a);
  CHECK(Contents(*rebuilt_b, Family::kDedupe) == Contents(*rebuilt_a, Family::kDedupe));
}

TEST_CASE("a replay whose head exists only in the journal equals the projection that read the full topic",
          "[integration][replay]") {
  testing::TempDir dir;
  auto platform = testing::StartEmbeddedPlatform(SmallPlatform(dir, 1));
  REQUIRE(testing::WaitFor([&] { return platform->ready(); }));
  // ~6.5 MiB into one partition: the embedded broker keeps only the newest ~5 MiB.
  const std::string text(4000, 'x');
  int64_t published = 0;
  for (int batch = 0; batch < 8; ++batch) {
    std::vector<Event> events;
    for (int i = 0; i < 200; ++i) {
      const int n = batch * 200 + i;
      events.push_back(testing::Base("k-" + std::to_string(n % 100), Day(n / 10.0),
                                     events::Complaint{"x-" + std::to_string(n), events::ComplaintCategory::kService,
                                                       1 + n % 5, text}));
    }
    REQUIRE(platform->gateway()->Publish(events).ok());
    published += static_cast<int64_t>(events.size());
  }
  REQUIRE(testing::WaitFor([&] { return Applied(*platform) == published; }));
  int64_t low = 0, high = 0;
  REQUIRE(rd_kafka_query_watermark_offsets(platform->publisher()->handle(), std::string(kTopic).c_str(), 0, &low,
                                           &high, 10'000) == RD_KAFKA_RESP_ERR_NO_ERROR);
  REQUIRE(high == published);
  REQUIRE(low > 0);  // the head is gone from the topic

  auto summary = Replay(Request(dir.path(), dir.path() / "replays" / "full"));
  CHECK(summary.applied == published);
  auto live = Store::Open(dir.path() / "customer-view", projections::OpenMode::kSecondary, dir.path() / ".test-secondary");
  REQUIRE(live.ok());
  auto replayed = Open(dir.path() / "replays" / "full" / "customer-view");
  CHECK(Contents(*replayed, Family::kState) == Contents(**live, Family::kState));
  CHECK(Contents(*replayed, Family::kDedupe) == Contents(**live, Family::kDedupe));
}

}  // namespace
}  // namespace rapport
