// The P(alive) half of the churn rule `overdue` (DOMAIN.md §5): the BG/NBD crossing
// time, the fit in effect at an event time, the rule's edges, and the same alerts
// whether a fit was learned mid-history (live) or known from the start (replay).

#include <catch2/catch.hpp>

#include "events/time_format.h"
#include "projections/churn/churn_fit_book.h"
#include "projections/churn/churn_projection.h"
#include "projections/churn/churn_rules.h"
#include "projections/domain/customer_lifecycle.h"
#include "tests/support/churn_harness.h"
#include "tests/support/event_builders.h"
#include "tests/support/temp_dir.h"

namespace rapport {
namespace {

using namespace projections;
using testing::Day;

// a > b - 1 + ... : P(alive) falls below 0.5 a few days after the last purchase,
// well before 2x the usual interval.
const BgNbdParams kFast{0.25, 4.0, 2.0, 2.5};

ModelParameters Fit(int64_t as_of_ms, BgNbdParams params, int64_t fitted_at_ms = 1) {
  ModelParameters p;
  p.as_of_ms = as_of_ms;
  p.fitted_at_ms = fitted_at_ms;
  p.customers = 10;
  p.bgnbd = params;
  p.gamma_gamma = {6.0, 4.0, 15.0};
  return p;
}

PurchaseHistory History(std::initializer_list<double> days) {
  PurchaseHistory h;
  for (double d : days) h.Add({Day(d), 100, 0});
  return h;
}

TEST_CASE("churn P(alive) crossing: just above the threshold before T*, below after", "[churn][p_alive]") {
  for (const BgNbdParams& params : {kFast, BgNbdParams{0.5, 10.0, 0.7, 3.0}, BgNbdParams{2.0, 1.0, 1.5, 1.2}}) {
    for (double threshold : {0.5, 0.3, 0.7}) {
      const PurchaseHistory h = History({0, 10, 20, 24});
      const int64_t at = PAliveCrossingMs(params, h, threshold);
      INFO("r " << params.r << " a " << params.a << " threshold " << threshold);
      REQUIRE(at > h.last_ms());
      const double after = *PAliveAt(params, h, at);
      CHECK(after < threshold);
      if (at - 2 > h.last_ms()) {  // the crossing is past the purchase
        CHECK(after == Approx(threshold).margin(1e-6));
        const double before = *PAliveAt(params, h, at - 2);
        CHECK(before >= threshold);
        CHECK(before == Approx(threshold).margin(1e-6));
      } else {  // below already at the purchase: the first instant after it
        CHECK(at == h.last_ms() + 1);
        CHECK(*PAliveAt(params, h, h.last_ms()) < threshold);
      }
      CHECK(*PAliveAt(params, h, at + Day(30) - Day(0)) < after);  // and it keeps falling
    }
  }
  // The closed form against bgnbd.h's P(alive) at the crossing age.
  const RepeatSummary s{3, 24.0, 0};
  const double age = *PAliveCrossingAgeDays(kFast, s, 0.5);
  CHECK(ProbabilityAlive(kFast, {3, 24.0, age}) == Approx(0.5).epsilon(1e-9));
  // One purchase: P(alive) is 1, no crossing.
  CHECK(PAliveCrossingMs(kFast, History({0}), 0.5) == 0);
  CHECK_FALSE(PAliveCrossingAgeDays(kFast, {0, 0, 5}, 0.5).has_value());
  // A lower threshold is crossed later.
  const PurchaseHistory h = History({0, 10, 20});
  CHECK(PAliveCrossingMs(kFast, h, 0.3) > PAliveCrossingMs(kFast, h, 0.5));
}

TEST_CASE("churn fit book: a fit applies from as_of + delay and ties are decided the same in any order",
          "[churn][p_alive]") {
  ChurnFitBook book(24 * 3'600'000LL);
  CHECK_FALSE(book.InEffectAt(Day(100)).has_value());
  CHECK(book.NextEffectiveAfter(0) == 0);
  CHECK(book.Add(Fit(Day(10), kFast)));
  CHECK_FALSE(book.Add(Fit(Day(10), kFast)));  // the same fit again
  CHECK(book.Add(Fit(Day(20), BgNbdParams{1, 2, 3, 4})));
  CHECK_FALSE(book.InEffectAt(Day(11) - 1).has_value());
  REQUIRE(book.InEffectAt(Day(11)).has_value());
  CHECK(book.InEffectAt(Day(11))->params == kFast);
  CHECK(book.InEffectAt(Day(21) - 1)->as_of_ms == Day(10));
  CHECK(book.InEffectAt(Day(21))->as_of_ms == Day(20));
  CHECK(book.NextEffectiveAfter(Day(11)) == Day(21));
  CHECK(book.NextEffectiveAfter(Day(21)) == 0);

  // Two fits as of the same time: the later fitted wins whatever the arrival order.
  const ModelParameters early = Fit(Day(30), kFast, 100), late = Fit(Day(30), BgNbdParams{1, 1, 1, 1}, 200);
  ChurnFitBook one(0), two(0);
  one.Add(early);
  CHECK(one.Add(late));
  CHECK(two.Add(late));
  CHECK_FALSE(two.Add(early));
  CHECK(one.InEffectAt(Day(30))->params == two.InEffectAt(Day(30))->params);
  CHECK(one.InEffectAt(Day(30))->params == late.bgnbd);

  ChurnSettings bad;
  bad.p_alive_fit_delay_hours = -1;
  CHECK(CheckChurnSettings(bad).ToString().find("domain.churn.p_alive_fit_delay_hours") != std::string::npos);
  CHECK(CheckChurnSettings(ChurnSettings{}).ok());
}

struct PAliveRules {
  DomainSettings settings;
  ChurnFitBook book{24 * 3'600'000LL};
  ChurnRules rules() const { return ChurnRules{settings.churn, settings.lifecycle, &book}; }
};

ChurnState StateOf(std::initializer_list<double> days, const ChurnRules& rules) {
  ChurnState state;
  for (double d : days) {
    ApplyChurnEvent(state, testing::Purchase("c-1", Day(d), 100), rules, nullptr);
    EvaluateTimeRules(state, Day(d), rules);
  }
  return state;
}

bool HasOverdue(const std::vector<Finding>& findings) {
  return std::any_of(findings.begin(), findings.end(),
                     [](const Finding& f) { return f.reason.reason == ChurnReason::kOverdue; });
}

TEST_CASE("churn overdue by P(alive): held just past the crossing, with its figures", "[churn][p_alive]") {
  PAliveRules r;
  r.book.Add(Fit(Day(15), kFast));  // in effect from day 16
  ChurnState state = StateOf({0, 10, 20}, r.rules());
  const int64_t crossing = PAliveCrossingMs(kFast, state.purchases, 0.5);
  REQUIRE(crossing < Day(40));  // before the interval half (2 x 10 days)
  CHECK(NextDeadline(state, Day(20), r.rules()) == crossing);
  ChurnState before = state;
  CHECK_FALSE(HasOverdue(EvaluateTimeRules(before, crossing - 2, r.rules())));
  const auto found = EvaluateTimeRules(state, crossing, r.rules());
  REQUIRE(HasOverdue(found));
  const AlertReason& reason = found.front().reason;
  CHECK(reason.value < 0.5);
  CHECK(reason.threshold == 0.5);
  const std::string date = events::FormatRfc3339(Day(15)).substr(0, 10);
  CHECK(reason.detail == "P(alive) 0.49 below 0.50 under the fit of " + date + ", " +
                             std::to_string(WholeDaysBetween(Day(20), crossing)) + " days since last purchase");
  CHECK(found.front().strength > 0.5);
  // Held: no new deadline for it, and no second raise.
  CHECK(NextDeadline(state, crossing, r.rules()) != crossing);
  CHECK_FALSE(HasOverdue(EvaluateTimeRules(state, crossing + Day(1) - Day(0), r.rules())));

  // A threshold of 0.3 holds later; figures follow the setting.
  PAliveRules low;
  low.settings.churn.overdue_p_alive_below = 0.3;
  low.book.Add(Fit(Day(15), kFast));
  ChurnState s3 = StateOf({0, 10, 20}, low.rules());
  CHECK_FALSE(HasOverdue(EvaluateTimeRules(s3, crossing, low.rules())));
}

TEST_CASE("churn overdue by P(alive): not applied before a fit is in effect, and a fit start is a deadline",
          "[churn][p_alive]") {
  PAliveRules r;
  r.book.Add(Fit(Day(30), kFast));  // in effect from day 31, after the crossing under it
  ChurnState state = StateOf({0, 10, 20}, r.rules());
  const int64_t crossing = PAliveCrossingMs(kFast, state.purchases, 0.5);
  REQUIRE(crossing < Day(31));
  ChurnState early = state;
  CHECK_FALSE(HasOverdue(EvaluateTimeRules(early, Day(31) - 1, r.rules())));  // no fit in effect yet
  CHECK(NextDeadline(state, Day(20), r.rules()) == Day(31));                  // the fit's start
  const auto found = EvaluateTimeRules(state, Day(31), r.rules());
  REQUIRE(HasOverdue(found));
  CHECK(found.front().reason.detail.rfind("P(alive) 0.", 0) == 0);

  // Without any fit: only the interval half, at 2 x 10 days.
  PAliveRules none;
  ChurnState plain = StateOf({0, 10, 20}, none.rules());
  CHECK(NextDeadline(plain, Day(20), none.rules()) != Day(31));
  CHECK_FALSE(HasOverdue(EvaluateTimeRules(plain, Day(39), none.rules())));
  CHECK(HasOverdue(EvaluateTimeRules(plain, Day(40) + 1, none.rules())));

  // One purchase: P(alive) is 1 whatever the fit.
  ChurnState single = StateOf({0}, r.rules());
  CHECK_FALSE(HasOverdue(EvaluateTimeRules(single, Day(400), r.rules())));
}

// ---- Determinism: learned mid-history (live) = known from the start (replay) ----------

struct Run : testing::ChurnHarness {
  explicit Run(const std::vector<ModelParameters>* fits)
      : ChurnHarness(1, fits ? std::function<std::vector<ModelParameters>()>([fits] { return *fits; }) : nullptr) {}
  void Feed(const std::vector<events::Event>& events) {
    for (const auto& e : events) Apply(e);
    Commit();
  }
};

std::vector<std::string> Bytes(const std::vector<AlertEvent>& log) {
  std::vector<std::string> out;
  for (const auto& a : log) out.push_back(EncodeAlertWire(a));
  return out;
}

TEST_CASE("churn P(alive) alerts are the same whether the fit arrived mid-history or was known at the start",
          "[churn][p_alive]") {
  // Up to day 50, then a fit as of day 50 is published (in effect from day 51).
  std::vector<events::Event> before, after;
  for (double d : {40, 45, 50}) before.push_back(testing::Purchase("p", Day(d), 100));  // goes quiet
  for (double d : {20, 30, 44}) before.push_back(testing::Purchase("q", Day(d), 100));
  for (int d = 0; d <= 50; ++d) before.push_back(testing::Purchase("busy", Day(d), 100));
  for (int d = 51; d <= 90; ++d) after.push_back(testing::Purchase("busy", Day(d), 100));
  after.insert(after.begin() + 5, testing::Purchase("q", Day(56), 100));
  const std::vector<ModelParameters> published = {Fit(Day(50), kFast)};

  std::vector<ModelParameters> live_fits;  // empty until "published"
  Run live(&live_fits);
  live.Feed(before);
  live_fits = published;
  live.Feed(after);

  Run replay(&published);
  replay.Feed(before);
  replay.Feed(after);
  CHECK(Bytes(live.Log()) == Bytes(replay.Log()));

  // The fit was stored with the inputs: a restart (or resumed replay) keeps it.
  auto stored = ReadChurnFits(*live.store);
  REQUIRE(stored.ok());
  REQUIRE(stored->size() == 1);
  CHECK((*stored)[0] == published[0]);

  // And it mattered: p is alerted by P(alive), at the crossing, before 2 x 5 days.
  PurchaseHistory p = History({40, 45, 50});
  const int64_t crossing = PAliveCrossingMs(kFast, p, 0.5);
  REQUIRE(crossing > Day(51));
  REQUIRE(crossing < Day(60));
  const std::vector<AlertEvent> log = replay.Log();
  const AlertEvent* alert = nullptr;
  for (const auto& a : log)
    if (a.customer_id == "p" && a.kind == AlertKind::kRaised && alert == nullptr) alert = &a;
  REQUIRE(alert != nullptr);
  CHECK(alert->at_ms == crossing);
  CHECK(alert->reasons.front().detail.rfind("P(alive)", 0) == 0);

  Run without(nullptr);
  without.Feed(before);
  without.Feed(after);
  CHECK(Bytes(without.Log()) != Bytes(replay.Log()));
  for (const auto& a : without.Log())
    for (const auto& reason : a.reasons) CHECK(reason.detail.find("P(alive)") == std::string::npos);
}

}  // namespace
}  // namespace rapport
