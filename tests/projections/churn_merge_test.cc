// customers_merged in the churn projection: the duplicate's purchases and complaints
// become the survivor's churn inputs, the duplicate's timer and open alerts are
// retired (cleared with the reason), later events of the duplicate id land on the
// survivor.

#include <catch2/catch.hpp>

#include "projections/churn/churn_merge.h"
#include "projections/churn/churn_projection.h"
#include "tests/support/churn_harness.h"
#include "tests/support/event_builders.h"
#include "tests/support/temp_dir.h"

namespace rapport {
namespace {

using namespace projections;
using testing::Day;

events::Event Complaint(const std::string& customer, int64_t at, const std::string& id, int severity) {
  return testing::Base(customer, at, events::Complaint{id, events::ComplaintCategory::kService, severity, "late"});
}

using Fixture = testing::ChurnHarness;

TEST_CASE("churn merge: purchases and complaints fold into the survivor, once", "[churn][merge]") {
  ChurnState survivor, duplicate;
  survivor.customer_id = "s";
  survivor.first_seen_ms = Day(5);
  survivor.purchases.Add({Day(5), 100, 0});
  survivor.last_purchase_event_id = "e-s";
  survivor.open_complaints = {{"k1", 4, Day(6), "e-k1", false}};
  survivor.complaint_times = {Day(6)};
  duplicate.customer_id = "d";
  duplicate.first_seen_ms = Day(1);
  duplicate.last_event_ms = Day(9);
  duplicate.purchases.Add({Day(1), 50, 0});
  duplicate.purchases.Add({Day(9), 70, 0});
  duplicate.last_purchase_event_id = "e-d";
  duplicate.open_complaints = {{"k1", 4, Day(6), "e-k1", false}, {"k2", 5, Day(2), "e-k2", false}};
  duplicate.complaint_times = {Day(2)};
  MergeChurnInputs(survivor, duplicate);
  CHECK(survivor.purchases.count() == 3);
  CHECK(survivor.purchases.first_ms() == Day(1));
  CHECK(survivor.last_purchase_event_id == "e-d");  // the newest purchase is the duplicate's
  CHECK(survivor.first_seen_ms == Day(1));
  CHECK(survivor.last_event_ms == Day(9));
  REQUIRE(survivor.open_complaints.size() == 2);  // k1 once
  CHECK(survivor.open_complaints[0].complaint_id == "k2");
  CHECK(survivor.complaint_times == std::vector<int64_t>{Day(2), Day(6)});
  const ChurnState pointer = ChurnPointer(duplicate, "d", "s", Day(10));
  CHECK(pointer.is_pointer());
  CHECK(pointer.purchases.empty());
  auto round = DecodeChurnState(EncodeChurnState(pointer));
  REQUIRE(round.ok());
  CHECK(*round == pointer);
}

TEST_CASE("churn merge: a duplicate's alert holding two reasons is cleared once", "[churn][merge]") {
  Fixture f;
  f.Apply(testing::Purchase("d", Day(0), 100));
  f.Apply(testing::Purchase("d", Day(10), 100));  // then quiet: overdue and frequency decline at day 30
  for (int d = 0; d <= 40; d += 5) f.Apply(testing::Purchase("busy", Day(d), 100));
  f.Apply(testing::Merge("s", "d", Day(41)));
  for (int d = 45; d <= 60; d += 5) f.Apply(testing::Purchase("busy", Day(d), 100));
  f.Commit();
  const auto dup = f.Of("d");
  REQUIRE(!dup.empty());
  CHECK(dup[0].kind == AlertKind::kRaised);
  CHECK(dup[0].reasons.size() == 2);
  int clears = 0;
  for (const AlertEvent& alert : dup) clears += alert.kind == AlertKind::kCleared ? 1 : 0;
  CHECK(clears == 1);
}

TEST_CASE("churn merge: the duplicate's alerts clear, its timer goes, the survivor is timed on both histories",
          "[churn][merge]") {
  Fixture f;
  for (double d : {0, 10, 20}) f.Apply(testing::Purchase("s", Day(d), 100));  // alone: overdue at day 40
  for (double d : {25, 30}) f.Apply(testing::Purchase("d", Day(d), 100));      // alone: overdue at day 40
  for (int i = 0; i < 3; ++i) f.Apply(Complaint("d", Day(31) + i, "k" + std::to_string(i), 1));
  f.Apply(testing::Merge("s", "d", Day(32)));
  for (int d = 33; d <= 60; ++d) f.Apply(testing::Purchase("busy", Day(d), 100));
  f.Commit();

  const auto dup = f.Of("d");
  REQUIRE(dup.size() == 2);  // the complaints alert, then its clear by the merge
  CHECK(dup[0].kind == AlertKind::kRaised);
  CHECK(dup[0].reasons.front().reason == ChurnReason::kComplaints);
  CHECK(dup[1].kind == AlertKind::kCleared);
  CHECK(dup[1].alert_id == dup[0].alert_id);
  CHECK(dup[1].cleared_by == "customers_merged: merged into s");
  CHECK(dup[1].at_ms == Day(32));
  auto records = CustomerAlerts(*f.store, "d");
  REQUIRE(records.ok());
  REQUIRE(records->size() == 1);
  CHECK((*records)[0]["status"] == "cleared");

  // Merged intervals 10, 10, 5, 5: median 7.5, so overdue 15 days after day 30.
  const auto survivor = f.Of("s");
  REQUIRE(survivor.size() == 1);
  CHECK(survivor[0].kind == AlertKind::kRaised);
  CHECK(survivor[0].at_ms == Day(45) + 1);
  CHECK(survivor[0].reasons.front().detail == "15 days since last purchase, usual interval 7.5");

  // A later event of the duplicate id is the survivor's: its purchase clears s's alert.
  f.Apply(testing::Purchase("d", Day(61), 100));
  f.Apply(testing::Purchase("busy", Day(62), 100));
  f.Commit();
  const auto cleared = f.Of("s");
  REQUIRE(cleared.size() == 2);
  CHECK(cleared[1].kind == AlertKind::kCleared);
  CHECK(cleared[1].alert_id == survivor[0].alert_id);
  CHECK(f.Of("d").size() == 2);  // nothing more under the duplicate's id
}

TEST_CASE("churn merge: a duplicate's purchase after the survivor's alert clears it at the merge",
          "[churn][merge]") {
  Fixture f;
  for (double d : {0, 10}) f.Apply(testing::Purchase("s", Day(d), 100));  // overdue at day 30
  for (int d = 0; d <= 35; ++d) f.Apply(testing::Purchase("busy", Day(d), 100));
  f.Apply(testing::Purchase("d", Day(33), 100));  // the same person, under another id
  f.Apply(testing::Merge("s", "d", Day(36)));
  f.Apply(testing::Purchase("busy", Day(37), 100));
  f.Commit();
  const auto s = f.Of("s");
  REQUIRE(s.size() == 2);
  CHECK(s[0].kind == AlertKind::kRaised);
  CHECK(s[0].at_ms == Day(30) + 1);
  CHECK(s[1].kind == AlertKind::kCleared);
  CHECK(s[1].cleared_by == "purchase of merged customer d");
  CHECK(s[1].at_ms == Day(36));
}

TEST_CASE("churn merge: repeats change nothing and merging into another survivor is refused", "[churn][merge]") {
  Fixture f;
  f.Apply(testing::Purchase("s", Day(0), 100));
  f.Apply(testing::Purchase("d", Day(1), 100));
  f.Apply(testing::Merge("s", "d", Day(2)));
  f.Apply(testing::Merge("s", "d", Day(3)));  // idempotent
  Status other = f.TryApply(testing::Merge("t", "d", Day(4)));
  CHECK(other.code() == StatusCode::kInvalidArgument);
  CHECK(other.ToString().find("merged_customer_id") != std::string::npos);
  f.Apply(testing::Merge("t", "s", Day(5)));  // the survivor itself merged on: a chain
  f.Apply(testing::Purchase("d", Day(6), 100));  // follows d -> s -> t
  f.Commit();
  auto t = f.store->Get(Family::kState, "t");
  REQUIRE(t.ok());
  REQUIRE(t->has_value());
  auto state = DecodeChurnState(**t);
  REQUIRE(state.ok());
  CHECK(state->purchases.count() == 3);
  CHECK(state->customer_id == "t");
}

}  // namespace
}  // namespace rapport
