// The churn rules of DOMAIN.md §5, their threshold edges, clearing, de-duplication,
// the watermark clock and the timers; the projection over a real RocksDB.

#include <catch2/catch.hpp>

#include "projections/churn/churn_projection.h"
#include "projections/churn/churn_rules.h"
#include "tests/support/churn_harness.h"
#include "tests/support/event_builders.h"
#include "tests/support/temp_dir.h"

namespace rapport {
namespace {

using namespace projections;
using testing::Day;

constexpr int64_t kHourMs = 3'600'000;

events::Event Survey(const std::string& customer, int64_t at, std::optional<int> expectation,
                     std::optional<int> perception, std::optional<int> nps = std::nullopt) {
  events::CareContact care;
  care.purpose = events::CarePurpose::kSurvey;
  care.survey.expectation = expectation;
  care.survey.perception = perception;
  care.survey.nps = nps;
  return testing::Base(customer, at, care);
}

events::Event Complaint(const std::string& customer, int64_t at, const std::string& id, int severity) {
  return testing::Base(customer, at,
                       events::Complaint{id, events::ComplaintCategory::kService, severity, "late"});
}

events::Event Resolved(const std::string& customer, int64_t at, const std::string& id) {
  return testing::Base(customer, at, events::ComplaintResolved{id, true});
}

struct Rules {
  DomainSettings settings;
  ChurnRules rules() const { return ChurnRules{settings.churn, settings.lifecycle, nullptr}; }
};

// Folds events, evaluating the time rules at each like the projection does.
std::vector<Finding> Fold(ChurnState& state, const std::vector<events::Event>& events, const Rules& r) {
  std::vector<Finding> all;
  for (const auto& e : events) {
    std::vector<std::string> cleared;
    for (auto& f : ApplyChurnEvent(state, e, r.rules(), &cleared)) all.push_back(f);
    for (auto& f : EvaluateTimeRules(state, e.occurred_at_ms, r.rules())) all.push_back(f);
  }
  return all;
}

bool Has(const std::vector<Finding>& findings, ChurnReason reason) {
  return std::any_of(findings.begin(), findings.end(),
                     [&](const Finding& f) { return f.reason.reason == reason; });
}

TEST_CASE("overdue holds just past 2x the median interval, not at it", "[churn]") {
  Rules r;
  ChurnState state;
  Fold(state,
       {testing::Purchase("c-1", Day(0), 100), testing::Purchase("c-1", Day(14), 100),
        testing::Purchase("c-1", Day(28), 100)},
       r);
  CHECK(EvaluateTimeRules(state, Day(56), r.rules()).empty());  // exactly 28 days = 2 x 14: not more
  const auto later = EvaluateTimeRules(state, Day(56) + 1000, r.rules());
  REQUIRE(Has(later, ChurnReason::kOverdue));
  CHECK(later.front().reason.detail == "28 days since last purchase, usual interval 14");
  CHECK(NextDeadline(ChurnState{}, 0, r.rules()) == 0);
}

TEST_CASE("overdue needs two purchases", "[churn]") {
  Rules r;
  ChurnState state;
  Fold(state, {testing::Purchase("c-1", Day(0), 100)}, r);
  CHECK(!Has(EvaluateTimeRules(state, Day(500), r.rules()), ChurnReason::kOverdue));
}

TEST_CASE("a time rule is raised on its rising edge only", "[churn]") {
  Rules r;
  ChurnState state;
  Fold(state, {testing::Purchase("c-1", Day(0), 100), testing::Purchase("c-1", Day(10), 100)}, r);
  CHECK(Has(EvaluateTimeRules(state, Day(31), r.rules()), ChurnReason::kOverdue));
  CHECK(!Has(EvaluateTimeRules(state, Day(32), r.rules()), ChurnReason::kOverdue));
}

TEST_CASE("satisfaction drop of 2 points within 30 days is an alert, 1.9 is not", "[churn]") {
  Rules r;
  r.settings.churn.satisfaction_drop_points = 2.0;
  ChurnState state;
  // EWMA of the gap: +3 then a sample that drags it down.
  auto first = Fold(state, {Survey("c-1", Day(0), 5, 8)}, r);
  CHECK(first.empty());
  ChurnState edge = state;
  auto small =
      Fold(edge, {Survey("c-1", Day(0), 5, 5)}, r);  // same time: average (3 + 0) / 2 = 1.5, drop 1.5
  CHECK(!Has(small, ChurnReason::kSatisfactionDrop));
  ChurnState exact = state;
  auto two = Fold(exact, {Survey("c-1", Day(0), 5, 4)}, r);  // (3 + -1) / 2 = 1, drop exactly 2
  REQUIRE(Has(two, ChurnReason::kSatisfactionDrop));
  CHECK(two.front().reason.value == Approx(2.0));
  auto big = Fold(state, {Survey("c-1", Day(0), 6, 3)}, r);  // (3 + -3) / 2 = 0, drop 3
  REQUIRE(Has(big, ChurnReason::kSatisfactionDrop));
  CHECK(big.front().reason.value == Approx(3.0));
}

TEST_CASE("a satisfaction fall spread over more than 30 days is not a drop", "[churn]") {
  Rules r;
  ChurnState state;
  auto findings = Fold(state, {Survey("c-1", Day(0), 5, 9), Survey("c-1", Day(31), 5, 5)}, r);
  CHECK(!Has(findings, ChurnReason::kSatisfactionDrop));  // the +4 sample left the window
}

TEST_CASE("an NPS answer of 6 is a satisfaction alert, 7 is not", "[churn]") {
  Rules r;
  ChurnState a, b;
  CHECK(Has(Fold(a, {Survey("c-1", Day(0), std::nullopt, std::nullopt, 6)}, r),
            ChurnReason::kSatisfactionDrop));
  CHECK(!Has(Fold(b, {Survey("c-1", Day(0), std::nullopt, std::nullopt, 7)}, r),
             ChurnReason::kSatisfactionDrop));
}

TEST_CASE("three complaints within 30 days raise complaints; spread over 31 days they do not", "[churn]") {
  Rules r;
  ChurnState a, b;
  CHECK(Has(Fold(a,
                 {Complaint("c-1", Day(0), "k1", 1), Complaint("c-1", Day(10), "k2", 1),
                  Complaint("c-1", Day(29), "k3", 1)},
                 r),
            ChurnReason::kComplaints));
  CHECK(!Has(Fold(b,
                  {Complaint("c-1", Day(0), "k1", 1), Complaint("c-1", Day(10), "k2", 1),
                   Complaint("c-1", Day(30), "k3", 1)},
                  r),
             ChurnReason::kComplaints));
}

TEST_CASE("a severity-4 complaint open more than 7 days raises complaints; severity 3 or resolved does not",
          "[churn]") {
  Rules r;
  ChurnState severe, mild, resolved;
  Fold(severe, {Complaint("c-1", Day(0), "k1", 4)}, r);
  Fold(mild, {Complaint("c-1", Day(0), "k1", 3)}, r);
  Fold(resolved, {Complaint("c-1", Day(0), "k1", 5), Resolved("c-1", Day(3), "k1")}, r);
  CHECK(NextDeadline(severe, Day(0), r.rules()) == Day(7) + 1);
  CHECK(EvaluateTimeRules(severe, Day(7), r.rules()).empty());
  CHECK(Has(EvaluateTimeRules(severe, Day(7) + 1, r.rules()), ChurnReason::kComplaints));
  CHECK(EvaluateTimeRules(severe, Day(20), r.rules()).empty());  // once per complaint
  CHECK(EvaluateTimeRules(mild, Day(20), r.rules()).empty());
  CHECK(EvaluateTimeRules(resolved, Day(20), r.rules()).empty());
}

TEST_CASE("frequency decline: fewer than half the purchases of the previous 90 days", "[churn]") {
  Rules r;
  ChurnState state;
  std::vector<events::Event> buys;
  for (int d = 0; d < 90; d += 10)
    buys.push_back(testing::Purchase("c-1", Day(d), 100));  // 9 in the first 90
  for (int d = 90; d < 180; d += 30) buys.push_back(testing::Purchase("c-1", Day(d), 100));  // 3 in the next
  auto findings = Fold(state, buys, r);
  // At day 180 the last window (90, 180] holds 2 (120, 150), the one before 9.
  auto at = EvaluateTimeRules(state, Day(180), r.rules());
  const bool raised =
      Has(findings, ChurnReason::kFrequencyDecline) || Has(at, ChurnReason::kFrequencyDecline);
  CHECK(raised);
  CHECK((state.held & (1u << static_cast<int>(ChurnReason::kFrequencyDecline))) != 0);
}

TEST_CASE("a purchase clears every open alert", "[churn]") {
  Rules r;
  ChurnState state;
  state.customer_id = "c-1";
  state.open_alerts[0] = {"al-1", Day(1)};
  state.open_alerts[2] = {"al-2", Day(2)};
  std::vector<std::string> cleared;
  ApplyChurnEvent(state, testing::Purchase("c-1", Day(3), 100), r.rules(), &cleared);
  CHECK(cleared == std::vector<std::string>{"al-1", "al-2"});
  CHECK(state.open_alerts[0].alert_id.empty());
  CHECK(state.open_alerts[2].alert_id.empty());
}

TEST_CASE("churn state survives encode and decode; garbage is corruption", "[churn]") {
  Rules r;
  ChurnState state;
  Fold(state,
       {testing::Purchase("c-1", Day(0), 100), Complaint("c-1", Day(1), "k", 5), Survey("c-1", Day(2), 5, 7)},
       r);
  state.open_alerts[1] = {"al-9", Day(2)};
  auto decoded = DecodeChurnState(EncodeChurnState(state));
  REQUIRE(decoded.ok());
  CHECK(*decoded == state);
  CHECK(!DecodeChurnState("\x01garbage").ok());
}

TEST_CASE("alerts round-trip through FlatBuffers; bad bytes fail verification", "[churn]") {
  AlertEvent alert;
  alert.alert_id = AlertId("c-1", {{ChurnReason::kOverdue, "", 0, 0}}, "e-1");
  alert.customer_id = "c-1";
  alert.at_ms = Day(3);
  alert.triggering_event_id = "e-1";
  alert.sequence = 7;
  alert.tier = Tier::kB;
  alert.risk_score = 0.75;
  alert.reasons = {{ChurnReason::kOverdue, "41 days since last purchase, usual interval 14", 41, 28}};
  alert.action = std::string(RecommendedAction(Tier::kB));
  auto decoded = DecodeAlertWire(EncodeAlertWire(alert));
  REQUIRE(decoded.ok());
  CHECK(*decoded == alert);
  CHECK(!DecodeAlertWire("not a flatbuffer at all").ok());
  CHECK(AlertId("c-1", alert.reasons, "e-1") == alert.alert_id);
  CHECK(AlertId("c-1", alert.reasons, "e-2") != alert.alert_id);
  CHECK(RecommendedAction(Tier::kA) == "win back now: senior agent contact within 24 h");
  CHECK(RecommendedAction(Tier::kC) == "win back if the cause is fixable");
  CHECK(RecommendedAction(Tier::kD) == "no special effort");
  CHECK(RiskScore({0.5}) == Approx(0.5));
  CHECK(RiskScore({0.5, 0.5}) == Approx(0.75));
}

TEST_CASE("churn settings are checked and errors name the setting", "[churn]") {
  ChurnSettings s;
  CHECK(CheckChurnSettings(s).ok());
  s.complaint_count = 0;
  CHECK(CheckChurnSettings(s).ToString().find("domain.churn.complaint_count") != std::string::npos);
  ChurnSettings w;
  w.webhook_urls = "ftp://x";
  CHECK(CheckChurnSettings(w).ToString().find("domain.churn.webhooks.urls") != std::string::npos);
}

// ---- The projection ---------------------------------------------------------------

struct Fixture : testing::ChurnHarness {
  explicit Fixture(int partitions = 2) : ChurnHarness(partitions) {}
};

TEST_CASE("event time is the lowest partition watermark", "[churn]") {
  Fixture f(2);
  f.Apply(testing::Purchase("c-1", Day(10), 100), 0);
  CHECK(f.projection->event_time_ms() == 0);  // partition 1 has said nothing yet
  f.Apply(testing::Purchase("c-2", Day(5), 100), 1);
  CHECK(f.projection->event_time_ms() == Day(5));
  f.Apply(testing::Purchase("c-2", Day(20), 100), 1);
  CHECK(f.projection->event_time_ms() == Day(10));
  f.Apply(testing::Purchase("c-1", Day(8), 100), 0);  // late: time never goes back
  CHECK(f.projection->event_time_ms() == Day(10));
}

TEST_CASE("a customer who stops buying is alerted when event time passes the deadline", "[churn]") {
  Fixture f(2);
  f.Apply(testing::Purchase("quiet", Day(0), 100), 0);
  f.Apply(testing::Purchase("quiet", Day(10), 100), 0);
  // Others keep both partitions moving; `quiet` sends nothing more.
  for (int d = 0; d <= 40; d += 5) {
    f.Apply(testing::Purchase("busy-0", Day(d), 100), 0);
    f.Apply(testing::Purchase("busy-1", Day(d), 100), 1);
  }
  f.Commit();
  auto log = f.Log();
  REQUIRE(log.size() == 1);
  CHECK(log[0].customer_id == "quiet");
  CHECK(log[0].kind == AlertKind::kRaised);
  CHECK(log[0].at_ms == Day(30) + 1);  // deadline: 2 x 10 days after the last purchase, plus 1 ms
  CHECK(log[0].reasons.size() == 2);   // overdue and lifecycle decline hold at the same instant
  CHECK(log[0].reasons[0].reason == ChurnReason::kOverdue);
  CHECK(log[0].reasons[1].reason == ChurnReason::kFrequencyDecline);
  CHECK(log[0].sequence == 1);
}

TEST_CASE("no alert before event time passes it, even when the customer's partition is ahead", "[churn]") {
  Fixture f(2);
  f.Apply(testing::Purchase("c-1", Day(0), 100), 0);
  f.Apply(testing::Purchase("c-1", Day(10), 100), 0);
  f.Apply(testing::Purchase("c-0", Day(50), 100), 0);  // partition 0 far ahead
  f.Apply(testing::Purchase("c-9", Day(20), 100), 1);
  f.Commit();
  CHECK(f.Log().empty());  // the timer at day 30 fired, but E = day 20
  f.Apply(testing::Purchase("c-9", Day(31), 100), 1);
  f.Commit();
  CHECK(f.Log().size() == 1);
}

TEST_CASE("a purchase clears open alerts with alert_cleared; one open alert per reason", "[churn]") {
  Fixture f(1);
  f.Apply(Complaint("c-1", Day(0), "k1", 1), 0);
  f.Apply(Complaint("c-1", Day(1), "k2", 1), 0);
  f.Apply(Complaint("c-1", Day(2), "k3", 1), 0);
  f.Apply(Complaint("c-1", Day(3), "k4", 1), 0);  // still open: no second complaints alert
  f.Apply(testing::Purchase("c-1", Day(4), 100), 0);
  f.Apply(Complaint("c-1", Day(5), "k5", 1), 0);  // 5 in 30 days, the alert was cleared: raise again
  f.Apply(testing::Purchase("c-2", Day(6), 100), 0);
  f.Commit();
  auto log = f.Log();
  REQUIRE(log.size() == 3);
  CHECK(log[0].kind == AlertKind::kRaised);
  CHECK(log[0].at_ms == Day(2));
  CHECK(log[0].reasons[0].detail == "3 complaints in 30 days");
  CHECK(log[1].kind == AlertKind::kCleared);
  CHECK(log[1].alert_id == log[0].alert_id);
  CHECK(log[2].kind == AlertKind::kRaised);
  CHECK(log[2].alert_id != log[0].alert_id);
  auto records = CustomerAlerts(*f.store, "c-1");
  REQUIRE(records.ok());
  REQUIRE(records->size() == 2);
  CHECK((*records)[0]["status"] == "cleared");
  CHECK((*records)[1]["status"] == "open");
  std::string cursor;
  auto open = ListAlerts(*f.store, AlertFilter{.status = "open"}, &cursor);
  REQUIRE(open.ok());
  CHECK(open->size() == 1);
}

TEST_CASE("a restart in the middle gives the same alert log as one run", "[churn]") {
  const std::vector<events::Event> first = {testing::Purchase("c-1", Day(0), 100),
                                            testing::Purchase("c-1", Day(7), 100),
                                            Complaint("c-2", Day(8), "k", 5)};
  std::vector<events::Event> second;
  for (int d = 9; d <= 40; d += 3) second.push_back(testing::Purchase("c-3", Day(d), 100));
  auto run = [&](bool restart) {
    Fixture f(1);
    for (const auto& e : first) f.Apply(e, 0);
    f.Commit();
    if (restart) f.Reopen();
    for (const auto& e : second) f.Apply(e, 0);
    f.Commit();
    std::vector<std::string> bytes;
    for (const auto& a : f.Log()) bytes.push_back(EncodeAlertWire(a));
    return bytes;
  };
  const auto once = run(false);
  CHECK(once.size() == 2);  // c-1 overdue, c-2 severe complaint
  CHECK(run(true) == once);
}

TEST_CASE("the outbox holds every released alert until drained", "[churn]") {
  Fixture f(1);
  f.Apply(Survey("c-1", Day(0), std::nullopt, std::nullopt, 2), 0);
  f.Apply(testing::Purchase("c-2", Day(1), 100), 0);
  f.Commit();
  auto value = f.store->Get(Family::kIndex, OutboxKey(1));
  REQUIRE(value.ok());
  REQUIRE(value->has_value());
  CHECK(**value == "c-1");
  CHECK(*LastAlertSequence(*f.store) == 1);
}

TEST_CASE("monthly churn: lost customers over customers current at the month's start", "[churn]") {
  Fixture f(1);
  // 2026-01-01 = day 20454 since the epoch.
  const int64_t jan = 20454LL * events::kMillisPerDay;
  const int64_t day = events::kMillisPerDay;
  // Steady buys every 5 days through February; stops buying in mid-January.
  // One partition delivers in time order.
  for (int d = -30; d <= 60; d += 5) {
    f.Apply(testing::Purchase("steady", jan + d * day, 100), 0);
    if (d <= 10) f.Apply(testing::Purchase("stopper", jan + d * day, 100), 0);
  }
  f.Apply(testing::Purchase("steady", jan + 62 * day, 100), 0);
  f.Commit();
  auto periods = ReadChurnPeriods(*f.store);
  REQUIRE(periods.ok());
  const ChurnPeriod* january = nullptr;
  for (const auto& p : *periods) {
    if (p.period == "2026-01") january = &p;
  }
  REQUIRE(january != nullptr);
  CHECK(january->counts[kTierCount].current_at_start == 2);
  CHECK(january->counts[kTierCount].lost == 1);  // stopper: 2 x 5 days after day 10
  CHECK(MonthStartMs(jan + 40 * day) == jan + 31 * day);
  CHECK(NextMonthStartMs(jan + 5 * day) == jan + 31 * day);
  (void)kHourMs;
}

}  // namespace
}  // namespace rapport

namespace rapport {
namespace {

TEST_CASE("the wall-clock tick follows the newest event, and the wall clock only for a current stream",
          "[churn]") {
  using namespace projections;
  testing::TempDir dir;
  auto store = Store::Open(dir.path() / "churn", OpenMode::kReadWrite);
  REQUIRE(store.ok());
  DomainSettings settings;
  ChurnProjection projection(**store, settings, ChurnDeps{2, true, nullptr});
  const int64_t wall = testing::Day(400);
  CHECK(projection.TickFloor(wall) == 0);  // nothing seen: no tick
  REQUIRE(projection.Apply(testing::Purchase("c-1", testing::Day(100), 1), {Partition(0), Offset(0)}).ok());
  CHECK(projection.event_time_ms() == 0);                  // partition 1 silent
  CHECK(projection.TickFloor(wall) == testing::Day(100));  // a history: the newest event time
  REQUIRE(projection.Apply(testing::Purchase("c-1", wall - 3'600'000, 1), {Partition(0), Offset(1)}).ok());
  CHECK(projection.TickFloor(wall) == wall - 300'000);  // current: now - lag
}

}  // namespace
}  // namespace rapport
