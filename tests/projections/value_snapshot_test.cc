// RFM quintiles and pyramid tiers (DOMAIN.md §3) from the ranking snapshot, pinned
// on hand-computed populations; cut-offs agree with the ranking they came from.

#include <algorithm>
#include <map>
#include <random>

#include <catch2/catch.hpp>

#include "projections/customer_view/customer_value.h"
#include "projections/domain/rank_cutoffs.h"
#include "projections/domain/value_snapshot.h"
#include "tests/support/event_builders.h"

namespace rapport::projections {
namespace {

using testing::Day;

ValueInputs Buyer(const std::string& id, int64_t value, int64_t recency_day, int64_t f, int64_t m) {
  ValueInputs in;
  in.customer_id = id;
  in.has_purchases = true;
  in.pyramid_value = value;
  in.window_revenue = value;
  in.recency_day = recency_day;
  in.frequency = f;
  in.monetary = m;
  return in;
}

TEST_CASE("cut-offs bucket every key exactly as the ranking's rank would", "[ranking]") {
  std::mt19937_64 rng(11);
  for (int round = 0; round < 20; ++round) {
    Ranking ranking;
    const int n = 1 + static_cast<int>(rng() % 300);
    for (int i = 0; i < n; ++i) ranking.Set("c-" + std::to_string(rng() % 1000), static_cast<int64_t>(rng() % 7));
    ranking.Rebuild();
    const auto cutoffs = RankCutoffs::FromRanking(ranking, kQuintileCuts);
    std::vector<RankEntry> entries;
    for (size_t rank = 0; rank < ranking.snapshot_size(); ++rank) entries.push_back(ranking.At(rank));
    std::shuffle(entries.begin(), entries.end(), rng);
    CHECK(RankCutoffs::FromEntries(entries, kQuintileCuts) == cutoffs);  // selection, no sort: same cut-offs
    const std::array<double, 3> tiers = {0.01, 0.05, 0.20};
    CHECK(TierCutoffs::FromEntries(entries, tiers) == TierCutoffs::FromRanking(ranking, tiers));
    for (int probe = 0; probe < 200; ++probe) {
      const int64_t score = static_cast<int64_t>(rng() % 9) - 1;
      const std::string id = "c-" + std::to_string(rng() % 1000);
      INFO("n=" << ranking.snapshot_size() << " score=" << score << " id=" << id);
      CHECK(cutoffs.BucketOf(score, id) ==
            BucketOfRank(ranking.RankOf(score, id), ranking.snapshot_size(), kQuintileCuts));
    }
  }
}

TEST_CASE("RFM: quintile scores over 10 buyers, ties broken by customer id", "[rfm]") {
  // F: three tied at 5, three at 3, one at 2, three at 1. Quintiles of 10 are ranks
  // [0,2) -> 5, [2,4) -> 4, [4,6) -> 3, [6,8) -> 2, [8,10) -> 1.
  const std::map<std::string, int64_t> frequency = {{"c-01", 5}, {"c-02", 5}, {"c-03", 5}, {"c-04", 3},
                                                    {"c-05", 3}, {"c-06", 3}, {"c-07", 2}, {"c-08", 1},
                                                    {"c-09", 1}, {"c-10", 1}};
  std::vector<ValueInputs> inputs;
  int64_t i = 0;
  for (const auto& [id, f] : frequency) {
    // Recency: c-10 bought last (day 110), c-01 first; M: everyone spent 500 (all tied).
    inputs.push_back(Buyer(id, 500, 100 + ++i, f, 500));
  }
  inputs.push_back(ValueInputs{.customer_id = "c-11"});  // never bought: not in the RFM population
  const ValueSnapshot snapshot = BuildValueSnapshot(inputs, Day(200), RankingParams{});
  CHECK(snapshot.recency.population() == 10);

  std::map<std::string, std::string> codes;
  for (const auto& in : inputs) {
    auto rfm = ScoreRfm(in, snapshot);
    if (rfm) codes[in.customer_id] = rfm->Code();
  }
  // r: most recent best (c-10, c-09 -> 5 ...); f as above; m all tied -> by id.
  CHECK(codes == std::map<std::string, std::string>{{"c-01", "155"}, {"c-02", "155"}, {"c-03", "244"},
                                                    {"c-04", "244"}, {"c-05", "333"}, {"c-06", "333"},
                                                    {"c-07", "422"}, {"c-08", "422"}, {"c-09", "511"},
                                                    {"c-10", "511"}});
  CHECK(codes.count("c-11") == 0);
  CHECK(snapshot.rfm_cells == std::map<std::string, int64_t>{{"155", 2}, {"244", 2}, {"333", 2}, {"422", 2}, {"511", 2}});
}

TEST_CASE("pyramid: 1,000 customers split 10/40/150/800 with totals per tier", "[pyramid]") {
  std::vector<ValueInputs> inputs;
  for (int i = 0; i < 1000; ++i) {
    char id[16];
    std::snprintf(id, sizeof id, "c-%04d", i);
    inputs.push_back(Buyer(id, 10 * (i / 2) + 10, 0, 1, 1));  // pairs tie: the lower id ranks first
  }
  const ValueSnapshot snapshot = BuildValueSnapshot(inputs, Day(0), RankingParams{});
  CHECK(snapshot.pyramid[0].customers == 10);
  CHECK(snapshot.pyramid[1].customers == 40);
  CHECK(snapshot.pyramid[2].customers == 150);
  CHECK(snapshot.pyramid[3].customers == 800);
  // A is c-0990..c-0999: values 4960, 4960, 4970, ... 5000, 5000.
  CHECK(snapshot.pyramid[0].revenue == 2 * (4960 + 4970 + 4980 + 4990 + 5000));
  CHECK(snapshot.tiers.TierOf(4960, "c-0990") == Tier::kA);
  CHECK(snapshot.tiers.TierOf(4950, "c-0989") == Tier::kB);
  CHECK(snapshot.tiers.TierOf(4960, "c-0991") == Tier::kA);
  CHECK(snapshot.tiers.TierOf(4960, "c-0992") == Tier::kB);  // a newcomer tied with A's last ranks after it
  CHECK(snapshot.tiers.LastValue(Tier::kA) == 4960);
  CHECK(snapshot.tiers.LastValue(Tier::kC) == 10 * (800 / 2) + 10);
}

TEST_CASE("pyramid: customers without revenue are always D, and N counts them", "[pyramid]") {
  std::vector<ValueInputs> inputs;
  for (int i = 0; i < 1000; ++i) {
    ValueInputs in{.customer_id = "c-" + std::to_string(1000 + i)};
    if (i < 100) in = Buyer(in.customer_id, 100 + i, 0, 1, 1);
    inputs.push_back(in);
  }
  const ValueSnapshot snapshot = BuildValueSnapshot(inputs, Day(0), RankingParams{});
  CHECK(snapshot.tiers.population() == 1000);
  CHECK(snapshot.pyramid[0].customers == 10);
  CHECK(snapshot.pyramid[1].customers == 40);
  CHECK(snapshot.pyramid[2].customers == 50);  // C would take 150, only 50 have revenue left
  CHECK(snapshot.pyramid[3].customers == 900);
  CHECK(snapshot.tiers.TierOf(0, "a") == Tier::kD);
  CHECK(snapshot.tiers.TierOf(-5, "a") == Tier::kD);
}

TEST_CASE("inputs: windows end at as_of inclusive, profit basis is configurable", "[rfm]") {
  CustomerView view;
  view.customer_id = "c";
  view.purchase_history.Add({Day(0), 1000, 300});       // outside the 365-day window at day 365
  view.purchase_history.Add({Day(0) + 1, 2000, 500});   // the first millisecond inside it
  view.purchase_history.Add({Day(365), 4000, 4500});    // at as_of: inside
  RankingParams params;
  ValueInputs in = InputsOf(view, Day(365), params);
  CHECK(in.frequency == 2);
  CHECK(in.monetary == 6000);
  CHECK(in.window_profit == 1500 - 500);
  CHECK(in.pyramid_value == 6000);
  CHECK(in.recency_days == 0);
  params.pyramid_by_profit = true;
  CHECK(InputsOf(view, Day(365), params).pyramid_value == 1000);
  CHECK(InputsOf(view, Day(400) - 1, params).recency_days == 34);
}

TEST_CASE("value snapshot: the codec round-trips and rejects damage", "[rfm]") {
  std::vector<ValueInputs> inputs;
  for (int i = 0; i < 50; ++i) inputs.push_back(Buyer("c-" + std::to_string(i), i * 7 % 13, i % 5, i % 3, i));
  RankingParams params;
  params.pyramid_by_profit = true;
  params.tier_cuts = {0.02, 0.1, 0.3};
  const ValueSnapshot snapshot = BuildValueSnapshot(inputs, Day(42), params);
  const std::string bytes = EncodeValueSnapshot(snapshot);
  auto decoded = DecodeValueSnapshot(bytes);
  REQUIRE(decoded.ok());
  CHECK(*decoded == snapshot);
  CHECK_FALSE(DecodeValueSnapshot(std::string_view(bytes).substr(0, bytes.size() - 1)).ok());
  CHECK_FALSE(DecodeValueSnapshot("").ok());
}

TEST_CASE("customer value: a view is evaluated against the snapshot's own parameters", "[rfm]") {
  CustomerView view;
  view.customer_id = "c-top";
  view.revenue = 5000;
  view.cost = 4900;
  view.purchase_history.Add({Day(0), 5000, 4900});
  std::vector<ValueInputs> inputs = {InputsOf(view, Day(10), RankingParams{})};
  for (int i = 0; i < 99; ++i) inputs.push_back(Buyer("c-" + std::to_string(i), 1000 + i, 0, 1, 1000 + i));
  const ValueSnapshot snapshot = BuildValueSnapshot(inputs, Day(10), RankingParams{});
  DomainSettings settings;
  settings.value.pyramid_by_profit = true;  // a reader configured otherwise: the snapshot's basis wins
  const CustomerValue value = EvaluateCustomer(view, Day(10), snapshot, settings);
  CHECK(value.historic_value == 100);
  CHECK(value.inputs.pyramid_value == 5000);
  CHECK(value.tier == Tier::kA);  // by profit (100) it would be D
  CHECK(value.rfm->Code() == "515");  // latest, once (tied with all, last by id), most
  CHECK(value.ranking_as_of_ms == Day(10));
}

TEST_CASE("pyramid and RFM of one customer: cuts round as the spec says", "[pyramid]") {
  const ValueSnapshot snapshot = BuildValueSnapshot({Buyer("c", 10, 0, 1, 10)}, Day(0), RankingParams{});
  CHECK(snapshot.pyramid[3].customers == 1);  // round(1 x 1 %) = round(1 x 5 %) = round(1 x 20 %) = 0
  // Quintile limits round(0.2) = round(0.4) = 0, round(0.6) = 1: rank 0 is the third fifth.
  CHECK(snapshot.rfm_cells == std::map<std::string, int64_t>{{"333", 1}});
}

}  // namespace
}  // namespace rapport::projections
