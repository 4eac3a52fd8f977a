// Loyalty (DOMAIN.md §4) and the value x loyalty matrix (§3) over vectors of events:
// the indicators, the weighted score, quadrants, the inactive mark, merges.

#include "projections/loyalty/loyalty.h"

#include <catch2/catch.hpp>

#include "projections/runtime/merged_states.h"
#include "tests/support/survey_builders.h"

namespace rapport::projections {
namespace {

using events::Event;
using namespace rapport::testing;

StateMap<CustomerLoyalty> Fold(const std::vector<Event>& events) {
  StateMap<CustomerLoyalty> states;
  for (const Event& event : events) {
    Status status = ApplyWithMerges(
        states, event,
        [](CustomerLoyalty& s, const std::string& id, const Event& e) {
          s = ApplyLoyalty(std::move(s), id, e);
        },
        [](CustomerLoyalty& s, CustomerLoyalty&& d, const std::string& id) {
          s = MergeLoyalty(std::move(s), d, id);
        });
    REQUIRE(status.ok());
  }
  return states;
}

// A ranking of `n` customers: `buyers` with their revenue, the rest 1,000 each.
ValueSnapshot RankingWith(const std::vector<std::pair<std::string, int64_t>>& buyers, int n, int64_t as_of) {
  std::vector<ValueInputs> inputs;
  for (const auto& [id, revenue] : buyers) {
    PurchaseHistory history;
    history.Add({as_of, revenue, 0});
    inputs.push_back(InputsOf(id, history, as_of, RankingParams{}));
  }
  for (int i = static_cast<int>(buyers.size()); i < n; ++i) {
    PurchaseHistory history;
    history.Add({as_of, 1'000, 0});
    inputs.push_back(InputsOf("filler-" + std::to_string(1000 + i), history, as_of, RankingParams{}));
  }
  return BuildValueSnapshot(inputs, as_of, RankingParams{});
}

TEST_CASE("loyalty indicators of a regular, by hand", "[loyalty]") {
  // Registered day 0 with a wallet of 10,000; buys on days 10, 40, 60, 130 (intervals
  // 30, 20, 70: mean 40, median 30); refers two; two resolutions, one accepted.
  const auto states = Fold({RegisteredWithWallet("c-1", Day(0), 10'000), Purchase("c-1", Day(10), 1'000),
                            Purchase("c-1", Day(40), 1'000), Purchase("c-1", Day(60), 2'000),
                            Purchase("c-1", Day(130), 1'000), Referral("c-1", Day(50), "c-8"),
                            Referral("c-1", Day(51), "c-9"), Resolved("c-1", Day(70), true),
                            Resolved("c-1", Day(71), false)});
  const LoyaltySettings settings;
  const LoyaltyIndicators in = IndicatorsOf(*states.Get("c-1"), Day(146), settings);
  CHECK(in.purchases == 4);
  CHECK(*in.repeat_purchase_ratio == Approx(0.75));
  CHECK(in.window_purchases == 4);
  CHECK(in.window_revenue == 5'000);
  CHECK(*in.mean_interval_days == Approx(40.0));
  CHECK(*in.median_interval_days == Approx(30.0));
  CHECK(*in.share_of_wallet == Approx(0.5));
  CHECK(in.tenure_days == Approx(146.0));
  CHECK(in.referrals == 2);
  CHECK(*in.resolution_acceptance == Approx(0.5));
  CHECK(*in.days_since_last_interaction == Approx(16.0));

  // Components: repeat 0.75, frequency 4/12, interval 30/30 = 1, wallet 0.5, tenure
  // 146/365 = 0.4, referrals 2/2 = 1, resolution 0.5; weights sum to 1.
  const LoyaltyScore score = ScoreOf(in, settings);
  const double expected =
      0.2 * 0.75 + 0.2 * (4.0 / 12.0) + 0.1 * 1.0 + 0.2 * 0.5 + 0.15 * 0.4 + 0.05 * 1.0 + 0.1 * 0.5;
  CHECK(score.score == Approx(expected));
  // A year later the window holds no purchase and the wallet share is 0.
  const LoyaltyIndicators later = IndicatorsOf(*states.Get("c-1"), Day(130 + 365), settings);
  CHECK(later.window_purchases == 0);
  CHECK(*later.share_of_wallet == Approx(0.0));
}

TEST_CASE("components without data drop out and the other weights are rescaled", "[loyalty]") {
  // One purchase, no wallet estimate, no resolution: repeat 0, frequency 1/12,
  // interval 0 (no interval yet), tenure 73/365 = 0.2, referrals 0.
  const auto states = Fold({Purchase("c-1", Day(0), 500)});
  const LoyaltySettings settings;
  const LoyaltyScore score = ScoreOf(IndicatorsOf(*states.Get("c-1"), Day(73), settings), settings);
  CHECK_FALSE(score.components[static_cast<int>(LoyaltyComponent::kShareOfWallet)].has_value());
  CHECK_FALSE(score.components[static_cast<int>(LoyaltyComponent::kResolutionAcceptance)].has_value());
  const double weights = 0.2 + 0.2 + 0.1 + 0.15 + 0.05;
  CHECK(score.score == Approx((0.2 * (1.0 / 12.0) + 0.15 * 0.2) / weights));
  // Caps: a share of wallet above 1 and 30 purchases in the window score 1.
  LoyaltyIndicators full;
  full.repeat_purchase_ratio = 1.0;
  full.window_purchases = 30;
  full.median_interval_days = 3;
  full.share_of_wallet = 2.5;
  full.tenure_days = 1000;
  full.referrals = 9;
  full.resolution_acceptance = 1.0;
  CHECK(ScoreOf(full, settings).score == Approx(1.0));
  // A slow rhythm scores target / median: 30 / 120.
  full.median_interval_days = 120;
  CHECK(*ScoreOf(full, settings).components[static_cast<int>(LoyaltyComponent::kInterval)] == Approx(0.25));
}

TEST_CASE("quadrants: high value = tier A or B, high loyalty = score >= 0.6", "[loyalty][quadrant]") {
  CHECK(QuadrantOf(true, true) == Quadrant::kCore);
  CHECK(QuadrantOf(true, false) == Quadrant::kAtRiskOfPoaching);
  CHECK(QuadrantOf(false, true) == Quadrant::kSteady);
  CHECK(QuadrantOf(false, false) == Quadrant::kTransactional);
  CHECK(Name(Quadrant::kAtRiskOfPoaching) == "at_risk_of_poaching");

  // 100 customers ranked: A is above 900,000 (vip's ranked value), B above 1,000
  // (fillers), the rest D.
  const int64_t now = Day(400);
  const ValueSnapshot ranking = RankingWith({{"vip", 900'000}, {"major", 800'000}, {"small", 10}}, 100, now);
  std::vector<Event> events;
  // vip and small buy weekly for a year with a full wallet share: loyal.
  for (int d = 35; d <= 400; d += 7) {
    events.push_back(Purchase("vip", Day(d), 900'000 / 53));
    events.push_back(Purchase("small", Day(d), 10));
  }
  events.push_back(RegisteredWithWallet("vip", Day(35), 900'000));
  events.push_back(RegisteredWithWallet("small", Day(35), 500));
  // major bought once, recently, a lot: valuable but not (yet) loyal.
  events.push_back(Purchase("major", Day(399), 50'000));
  events.push_back(Purchase("once", Day(399), 10));
  const auto states = Fold(events);
  const DomainSettings settings;
  auto quadrant = [&](const std::string& id) {
    const LoyaltyValue v = EvaluateLoyalty(*states.Get(id), now, ranking, settings);
    INFO(id << ": tier " << TierName(v.tier) << " score " << v.score.score);
    return v.quadrant;
  };
  CHECK(quadrant("vip") == Quadrant::kCore);
  CHECK(quadrant("major") == Quadrant::kAtRiskOfPoaching);
  CHECK(quadrant("small") == Quadrant::kSteady);
  CHECK(quadrant("once") == Quadrant::kTransactional);
  // The cut is configurable: at 0.99 even the vip is not loyal enough.
  DomainSettings strict;
  strict.value.high_loyalty_score = 0.99;
  CHECK(EvaluateLoyalty(*states.Get("vip"), now, ranking, strict).quadrant == Quadrant::kAtRiskOfPoaching);
}

TEST_CASE("inactive after 730 days without an interaction, whatever the quadrant", "[loyalty][inactive]") {
  const auto states = Fold({Purchase("c-1", Day(0), 100), Visit("c-1", Day(10)), Erase("c-1", Day(700))});
  const DomainSettings settings;
  const ValueSnapshot none;
  // The erasure is no interaction: the clock runs from the visit on day 10.
  CHECK_FALSE(EvaluateLoyalty(*states.Get("c-1"), Day(739.9), none, settings).inactive);
  CHECK(EvaluateLoyalty(*states.Get("c-1"), Day(740), none, settings).inactive);
  DomainSettings shorter;
  shorter.value.inactive_after_days = 30;
  CHECK(EvaluateLoyalty(*states.Get("c-1"), Day(40), none, shorter).inactive);
  CHECK(states.Get("c-1")->erased);
}

TEST_CASE("a merge adds the duplicate's loyalty history once; the survivor's wallet wins",
          "[loyalty][merge]") {
  const std::vector<Event> events = {RegisteredWithWallet("s", Day(5), 8'000),
                                     Purchase("s", Day(10), 100),
                                     RegisteredWithWallet("d", Day(0), 99'000),
                                     Purchase("d", Day(20), 100),
                                     Referral("d", Day(21), "x"),
                                     Merge("s", "d", Day(30)),
                                     Purchase("d", Day(40), 100),  // after the merge: follows the pointer
                                     Resolved("d", Day(41), true)};
  const auto states = Fold(events);
  const CustomerLoyalty& s = *states.Get("s");
  CHECK(s.purchase_history.count() == 3);
  CHECK(s.wallet_estimate == 8'000);
  CHECK(s.referrals == 1);
  CHECK(s.resolutions_accepted == 1);
  CHECK(s.first_interaction_ms == Day(0));
  CHECK(s.last_interaction_ms == Day(41));
  CHECK(s.interactions == 7);
  CHECK(s.merged_from == std::vector<std::string>{"d"});
  CHECK(states.Get("d")->is_pointer());
  CHECK(states.Get("d")->purchase_history.empty());
  // Without its own estimate the survivor takes the duplicate's.
  const auto filled =
      Fold({Purchase("s", Day(1), 5), RegisteredWithWallet("d", Day(0), 7'000), Merge("s", "d", Day(2))});
  CHECK(filled.Get("s")->wallet_estimate == 7'000);

  auto back = DecodeCustomerLoyalty(EncodeCustomerLoyalty(s));
  REQUIRE(back.ok());
  CHECK(*back == s);
}

}  // namespace
}  // namespace rapport::projections
