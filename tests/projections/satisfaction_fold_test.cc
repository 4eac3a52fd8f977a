// The satisfaction fold (DOMAIN.md §4) over vectors of events: the gap EWMA with its
// 30-day half-life, CSAT and NPS arithmetic, complaint and resolution rates, the
// repurchase rate and its cells, merges without double counting.

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <map>
#include <random>

#include "projections/runtime/merged_states.h"
#include "projections/satisfaction/satisfaction.h"
#include "tests/support/survey_builders.h"

namespace rapport::projections {
namespace {

using events::Channel;
using events::Event;
using namespace rapport::testing;

struct Folded {
  StateMap<CustomerSatisfaction> states;
  std::map<std::string, SatisfactionCounts> cells;  // EncodeCellKey -> counts

  const CustomerSatisfaction& Of(const std::string& id) const {
    const CustomerSatisfaction* state = states.Get(id);
    REQUIRE(state != nullptr);
    return *state;
  }
  SatisfactionCounts AllCells() const {
    SatisfactionCounts total;
    for (const auto& [key, counts] : cells) total.Add(counts);
    return total;
  }
};

Folded Fold(const std::vector<Event>& events, const ValueSnapshot* ranking = nullptr) {
  Folded out;
  SatisfactionContext context;
  context.ranking = ranking;
  for (const Event& event : events) {
    context.tier_as_of_ms = std::max(context.tier_as_of_ms, event.occurred_at_ms);
    std::vector<CellDelta> deltas;
    Status status = ApplyWithMerges(
        out.states, event,
        [&](CustomerSatisfaction& s, const std::string& id, const Event& e) {
          s = ApplySatisfaction(std::move(s), id, e, context, &deltas);
        },
        [&](CustomerSatisfaction& s, CustomerSatisfaction&& d, const std::string& id) {
          s = MergeSatisfaction(std::move(s), d, id, context.settings, &deltas);
        });
    REQUIRE(status.ok());
    for (const CellDelta& delta : deltas) out.cells[EncodeCellKey(delta.key)].Add(delta.counts);
  }
  return out;
}

TEST_CASE("the gap EWMA weighs a survey one half-life (30 days) older half", "[satisfaction][ewma]") {
  // gaps -4 at day 0 and +2 at day 30: weights 0.5 and 1 -> (0.5 * -4 + 2) / 1.5 = 0
  const Folded f = Fold({Survey("c-1", Day(0), {.expectation = 9, .perception = 5}),
                         Survey("c-1", Day(30), {.expectation = 6, .perception = 8})});
  const CustomerSatisfaction& s = f.Of("c-1");
  REQUIRE(s.gap_ewma.value().has_value());
  CHECK(*s.gap_ewma.value() == Approx(0.0).margin(1e-12));
  // 60 days: weights 0.25 and 1 -> (0.25 * -4 + 2) / 1.25 = 0.8
  const Folded g = Fold({Survey("c-1", Day(0), {.expectation = 9, .perception = 5}),
                         Survey("c-1", Day(60), {.expectation = 6, .perception = 8})});
  CHECK(*g.Of("c-1").gap_ewma.value() == Approx(0.8));
  CHECK(g.Of("c-1").counts.gap_answers == 2);
  CHECK(g.Of("c-1").counts.gap_sum == -2);
}

TEST_CASE("a survey without both expectation and perception has no gap", "[satisfaction][ewma]") {
  const Folded f =
      Fold({Survey("c-1", Day(0), {.perception = 5, .nps = 9}), Survey("c-1", Day(1), {.csat = 2})});
  CHECK_FALSE(f.Of("c-1").gap_ewma.value().has_value());
  CHECK(f.Of("c-1").counts.surveys == 2);
  CHECK(f.Of("c-1").counts.gap_answers == 0);
  CHECK(f.Of("c-1").last_survey.csat == 2);
}

TEST_CASE("a late survey lands in the EWMA as if it had arrived in time", "[satisfaction][ewma]") {
  const Event a = Survey("c-1", Day(0), {.expectation = 5, .perception = 9});
  const Event b = Survey("c-1", Day(20), {.expectation = 8, .perception = 2});
  const Event c = Survey("c-1", Day(45), {.expectation = 7, .perception = 7});
  const double in_order = *Fold({a, b, c}).Of("c-1").gap_ewma.value();
  const double shuffled = *Fold({c, a, b}).Of("c-1").gap_ewma.value();
  CHECK(shuffled == Approx(in_order));
  // By hand: weights relative to day 45: 2^-1.5, 2^-(25/30), 1
  const double w0 = std::exp2(-1.5), w1 = std::exp2(-25.0 / 30.0);
  CHECK(in_order == Approx((w0 * 4 + w1 * -6 + 0) / (w0 + w1 + 1)));
  // The last survey is the newest in event time, not the last to arrive.
  CHECK(Fold({c, a, b}).Of("c-1").last_survey.perception == 7);
}

TEST_CASE("NPS is % promoters (9-10) - % detractors (0-6); CSAT the share of 4 and 5",
          "[satisfaction][nps]") {
  std::vector<Event> events;
  for (int nps : {10, 9, 8, 7, 6, 0}) events.push_back(Survey("c-1", Day(nps), {.nps = nps}));
  for (int csat : {5, 4, 3, 1}) events.push_back(Survey("c-2", Day(csat), {.csat = csat}));
  events.push_back(Survey("c-3", Day(1), {.nps = 10}));
  events.push_back(Survey("c-3", Day(2), {.nps = 10}));
  events.push_back(Survey("c-3", Day(3), {.nps = 10}));
  events.push_back(Survey("c-3", Day(4), {.nps = 3}));
  const Folded f = Fold(events);
  const SatisfactionMeasures one = MeasuresOf(f.Of("c-1").counts);
  CHECK(f.Of("c-1").counts.promoters == 2);
  CHECK(f.Of("c-1").counts.detractors == 2);
  CHECK(*one.nps == Approx(0.0));
  CHECK_FALSE(one.csat.has_value());
  CHECK(*MeasuresOf(f.Of("c-2").counts).csat == Approx(0.5));
  CHECK(*MeasuresOf(f.Of("c-3").counts).nps == Approx(50.0));  // (3 - 1) / 4
  // All together, from the cells: promoters 5, detractors 3 of 10 answers.
  const SatisfactionMeasures all = MeasuresOf(f.AllCells());
  CHECK(*all.nps == Approx(20.0));
  CHECK(*all.csat == Approx(0.5));
  SatisfactionCounts only_detractors;
  only_detractors.nps_answers = 4;
  only_detractors.detractors = 4;
  CHECK(*MeasuresOf(only_detractors).nps == Approx(-100.0));
}

TEST_CASE("complaint rate is complaints per interaction; acceptance per resolution", "[satisfaction]") {
  const Folded f = Fold({Registered("c-1", Day(0), "Ann"), Purchase("c-1", Day(1), 100),
                         Complaint("c-1", Day(2), "k-1"), Complaint("c-1", Day(3), "k-2"),
                         Resolved("c-1", Day(4), true, "k-1"), Resolved("c-1", Day(5), false, "k-2"),
                         Resolved("c-1", Day(6), true, "k-2"), Visit("c-1", Day(7)), Erase("c-1", Day(8))});
  const CustomerSatisfaction& s = f.Of("c-1");
  CHECK(s.counts.interactions == 8);  // the erasure is not an interaction
  CHECK(s.counts.complaints == 2);
  CHECK(s.open_complaints == 0);
  CHECK(*MeasuresOf(s.counts).complaint_rate == Approx(0.25));
  CHECK(*MeasuresOf(s.counts).resolution_acceptance == Approx(2.0 / 3.0));
  CHECK(s.erased);
  CHECK(f.AllCells() == s.counts);
}

TEST_CASE("repurchase: a purchase followed by another within 90 days, counted in its own cell",
          "[satisfaction][repurchase]") {
  const std::vector<Event> events = {On(Purchase("c-1", Day(0), 100), Channel::kStore),
                                     On(Purchase("c-1", Day(90), 100), Channel::kWeb),
                                     On(Purchase("c-1", Day(181), 100), Channel::kWeb)};
  for (const auto& order :
       {std::vector<int>{0, 1, 2}, std::vector<int>{2, 1, 0}, std::vector<int>{1, 2, 0}}) {
    std::vector<Event> arrival;
    for (int i : order) arrival.push_back(events[static_cast<size_t>(i)]);
    const Folded f = Fold(arrival);
    // day 0 -> day 90 is within 90 days (inclusive); day 90 -> 181 is 91 days.
    CHECK(f.Of("c-1").counts.purchases == 3);
    CHECK(f.Of("c-1").counts.repurchased == 1);
    const auto& day0 = f.cells.at(EncodeCellKey({DayOf(Day(0)), Channel::kStore, Tier::kD}));
    CHECK(day0.purchases == 1);
    CHECK(day0.repurchased == 1);
    CHECK(f.cells.at(EncodeCellKey({DayOf(Day(90)), Channel::kWeb, Tier::kD})).repurchased == 0);
    CHECK(f.AllCells() == f.Of("c-1").counts);
  }
  // Two purchases at one instant: neither is bought "again" after the other.
  const Folded same = Fold({Purchase("c-2", Day(5), 10), Purchase("c-2", Day(5), 20)});
  CHECK(same.Of("c-2").counts.repurchased == 0);
}

TEST_CASE("cells split by UTC day, channel and the tier against the ranking", "[satisfaction][cells]") {
  // A ranking where the one big spender is A: 100 customers, one of them far ahead.
  std::vector<ValueInputs> inputs;
  for (int i = 0; i < 100; ++i) {
    PurchaseHistory history;
    history.Add({Day(0), i == 0 ? 1'000'000 : 100 + i, 0});
    inputs.push_back(InputsOf("c-" + std::to_string(100 + i), history, Day(10), RankingParams{}));
  }
  const ValueSnapshot ranking = BuildValueSnapshot(inputs, Day(10), RankingParams{});
  const Folded f = Fold({Purchase("c-100", Day(0), 1'000'000), Purchase("c-150", Day(0), 150),
                         On(Survey("c-100", Day(10) + 5, {.csat = 5}), Channel::kMobile),
                         On(Survey("c-150", Day(10) + 6, {.csat = 2}), Channel::kMobile)},
                        &ranking);
  const auto& a = f.cells.at(EncodeCellKey({DayOf(Day(10)), Channel::kMobile, Tier::kA}));
  CHECK(a.csat_answers == 1);
  CHECK(a.csat_satisfied == 1);
  const auto& d = f.cells.at(EncodeCellKey({DayOf(Day(10)), Channel::kMobile, Tier::kD}));
  CHECK(d.csat_answers == 1);
  CHECK(d.csat_satisfied == 0);
  CHECK(f.cells.size() == 4);  // the two purchases on day 0 (web), A and D
}

TEST_CASE("cell keys sort by day and survive a round trip, before 1970 too", "[satisfaction][cells]") {
  for (int64_t day : {int64_t{-719'528}, int64_t{-1}, int64_t{0}, int64_t{20'454}, int64_t{2'932'896}}) {
    const CellKey key{day, Channel::kEmail, Tier::kB};
    const auto back = DecodeCellKey(EncodeCellKey(key));
    REQUIRE(back.has_value());
    CHECK(*back == key);
  }
  CHECK(EncodeCellKey({-1, Channel::kOther, Tier::kD}) < EncodeCellKey({0, Channel::kCallCentre, Tier::kA}));
  CHECK(EncodeCellKey({9, Channel::kOther, Tier::kD}) < CellKeyPrefix(10));
  CHECK(DayOf(-1) == -1);
  CHECK_FALSE(DecodeCellKey("garbage").has_value());
}

TEST_CASE("a merge folds the duplicate in once, in any interleaving", "[satisfaction][merge]") {
  // The duplicate's history: surveys, a complaint, a purchase 30 days after one of
  // the survivor's (so the survivor's becomes repurchased only through the merge).
  const std::vector<Event> survivor = {Purchase("s", Day(0), 100),
                                       Survey("s", Day(2), {.expectation = 5, .perception = 9, .nps = 10}),
                                       Complaint("s", Day(3))};
  const std::vector<Event> duplicate = {Survey("d", Day(1), {.expectation = 9, .perception = 3, .csat = 2}),
                                        Purchase("d", Day(30), 100), Complaint("d", Day(31), "k-9"),
                                        Resolved("d", Day(40), true, "k-9")};
  const Event merge = Merge("s", "d", Day(20));
  // The same history under one id is what the merged customer must equal.
  std::vector<Event> as_one;
  for (Event e : survivor) as_one.push_back(e);
  for (Event e : duplicate) {
    e.customer_id = CustomerId(std::string("s"));
    as_one.push_back(e);
  }
  const CustomerSatisfaction one = Fold(as_one).Of("s");

  std::mt19937 rng(7);
  for (int round = 0; round < 30; ++round) {
    // Each customer's events stay in order; the two streams and the merge interleave.
    std::vector<Event> arrival;
    size_t i = 0, j = 0;
    bool merged = false;
    while (i < survivor.size() || j < duplicate.size() || !merged) {
      const int pick = static_cast<int>(rng() % 3);
      if (pick == 0 && i < survivor.size())
        arrival.push_back(survivor[i++]);
      else if (pick == 1 && j < duplicate.size())
        arrival.push_back(duplicate[j++]);
      else if (pick == 2 && !merged && i == survivor.size()) {
        arrival.push_back(merge);
        merged = true;
      }
    }
    const Folded f = Fold(arrival);
    const CustomerSatisfaction& s = f.Of("s");
    INFO("round " << round);
    CHECK(s.counts == one.counts);
    CHECK(s.counts.repurchased == 1);
    CHECK(*s.gap_ewma.value() == Approx(*one.gap_ewma.value()));
    CHECK(s.last_survey == one.last_survey);
    CHECK(s.open_complaints == 1);
    CHECK(s.merged_from == std::vector<std::string>{"d"});
    CHECK(f.Of("d").is_pointer());
    CHECK(f.Of("d").counts.empty());
    CHECK(f.AllCells() == s.counts);  // every event in exactly one cell
  }
}

TEST_CASE("merging a duplicate already merged elsewhere is refused", "[satisfaction][merge]") {
  StateMap<CustomerSatisfaction> states;
  SatisfactionContext context;
  std::vector<CellDelta> deltas;
  auto fold = [&](CustomerSatisfaction& s, const std::string& id, const Event& e) {
    s = ApplySatisfaction(std::move(s), id, e, context, &deltas);
  };
  auto merge = [&](CustomerSatisfaction& s, CustomerSatisfaction&& d, const std::string& id) {
    s = MergeSatisfaction(std::move(s), d, id, context.settings, &deltas);
  };
  REQUIRE(ApplyWithMerges(states, Merge("a", "d", Day(1)), fold, merge).ok());
  Status refused = ApplyWithMerges(states, Merge("b", "d", Day(2)), fold, merge);
  CHECK(refused.field() == "merged_customer_id");
  CHECK(ApplyWithMerges(states, Merge("a", "d", Day(3)), fold, merge).ok());  // a repeat changes nothing
  CHECK(states.Get("a")->merged_from == std::vector<std::string>{"d"});
}

TEST_CASE("satisfaction state survives encoding", "[satisfaction]") {
  const Folded f = Fold({Purchase("c-1", Day(0), 100, 40), Purchase("c-1", Day(10), 300),
                         Survey("c-1", Day(2), {.expectation = 4, .perception = 9, .nps = 3, .csat = 5}),
                         Complaint("c-1", Day(3)), Merge("c-1", "c-2", Day(4)), Erase("c-1", Day(5))});
  const CustomerSatisfaction& s = f.Of("c-1");
  auto back = DecodeCustomerSatisfaction(EncodeCustomerSatisfaction(s));
  REQUIRE(back.ok());
  CHECK(*back == s);
  auto pointer = DecodeCustomerSatisfaction(EncodeCustomerSatisfaction(f.Of("c-2")));
  REQUIRE(pointer.ok());
  CHECK(pointer->merged_into == "c-1");
  std::string bytes = EncodeCustomerSatisfaction(s);
  bytes.pop_back();
  CHECK_FALSE(DecodeCustomerSatisfaction(bytes).ok());
  auto counts = DecodeSatisfactionCounts(EncodeSatisfactionCounts(s.counts));
  REQUIRE(counts.ok());
  CHECK(*counts == s.counts);
}

}  // namespace
}  // namespace rapport::projections
