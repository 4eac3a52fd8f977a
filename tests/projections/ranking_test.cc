#include "projections/domain/ranking.h"

#include <array>
#include <string>

#include <catch2/catch.hpp>

#include "projections/domain/purchase_history.h"

namespace rapport::projections {
namespace {

// The 1-5 score of a rank by fifths (5 = best fifth), through BucketOfRank.
int QuintileScore(size_t rank, size_t population) {
  static constexpr std::array<double, 4> kQuintiles = {0.2, 0.4, 0.6, 0.8};
  return 5 - BucketOfRank(rank, population, kQuintiles);
}

constexpr std::array<double, 3> kPyramid = {0.01, 0.05, 0.20};

std::string Id(int i) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "c-%04d", i);
  return buffer;
}

TEST_CASE("ranking: 1,000 customers split 10/40/150/800 into pyramid tiers", "[ranking]") {
  Ranking ranking;
  for (int i = 0; i < 1000; ++i) ranking.Set(Id(i), 1000 - i);  // c-0000 spends most
  ranking.Rebuild();
  std::array<int, 4> per_tier{};
  for (int i = 0; i < 1000; ++i) {
    ++per_tier[BucketOfRank(ranking.RankOf(1000 - i, Id(i)), ranking.snapshot_size(), kPyramid)];
  }
  CHECK(per_tier == std::array<int, 4>{10, 40, 150, 800});
  CHECK(BucketOfRank(ranking.RankOf(1000 - 9, Id(9)), 1000, kPyramid) == 0);
  CHECK(BucketOfRank(ranking.RankOf(1000 - 10, Id(10)), 1000, kPyramid) == 1);
}

TEST_CASE("ranking: ties are broken by customer id, lowest first", "[ranking]") {
  Ranking ranking;
  ranking.Set("b", 50);
  ranking.Set("a", 50);
  ranking.Set("c", 70);
  ranking.Rebuild();
  CHECK(ranking.RankOf(70, "c") == 0);
  CHECK(ranking.RankOf(50, "a") == 1);
  CHECK(ranking.RankOf(50, "b") == 2);
  CHECK(ranking.At(1).second == "a");
}

TEST_CASE("ranking: quintile scores give 5 to the best fifth, with ties", "[ranking]") {
  Ranking ranking;
  for (int i = 0; i < 10; ++i) ranking.Set(Id(i), i < 4 ? 100 : 10);  // four tied at the top
  ranking.Rebuild();
  CHECK(QuintileScore(ranking.RankOf(100, Id(0)), 10) == 5);
  CHECK(QuintileScore(ranking.RankOf(100, Id(1)), 10) == 5);
  CHECK(QuintileScore(ranking.RankOf(100, Id(2)), 10) == 4);
  CHECK(QuintileScore(ranking.RankOf(10, Id(9)), 10) == 1);
}

TEST_CASE("ranking: scores changed after a rebuild are placed among the snapshot", "[ranking]") {
  Ranking ranking;
  ranking.Set("a", 10);
  ranking.Set("b", 20);
  ranking.Rebuild();
  ranking.Set("a", 30);
  CHECK(ranking.ScoreOf("a") == 30);
  CHECK(ranking.RankOf(30, "a") == 0);  // ahead of b's 20
  ranking.Remove("b");
  CHECK(ranking.size() == 1);
  CHECK(ranking.snapshot_size() == 2);  // until the next rebuild
  ranking.Rebuild();
  CHECK(ranking.snapshot_size() == 1);
}

constexpr int64_t kDay = 86'400'000;

TEST_CASE("purchase history: keeps event-time order and answers windows", "[purchase_history]") {
  PurchaseHistory history;
  history.Add({10 * kDay, 100, 60});
  history.Add({30 * kDay, 300, 100});
  history.Add({20 * kDay, 200, 50});  // late arrival
  REQUIRE(history.count() == 3);
  CHECK(history.first_ms() == 10 * kDay);
  CHECK(history.last_ms() == 30 * kDay);
  CHECK(history.CountBetween(10 * kDay, 30 * kDay) == 2);  // end exclusive
  CHECK(history.RevenueBetween(0, 31 * kDay) == 600);
  CHECK(history.ProfitBetween(15 * kDay, 31 * kDay) == 350);
  CHECK(history.MedianIntervalDays() == Approx(10.0));
  history.Add({70 * kDay, 1, 0});
  CHECK(history.MedianIntervalDays() == Approx(10.0));  // intervals 10, 10, 40
  CHECK(history.MeanIntervalDays() == Approx(20.0));
}

TEST_CASE("purchase history: merge interleaves and the codec round-trips", "[purchase_history]") {
  PurchaseHistory a, b;
  a.Add({1 * kDay, 1, 0});
  a.Add({5 * kDay, 5, 0});
  b.Add({3 * kDay, 3, 1});
  a.Merge(b);
  REQUIRE(a.count() == 3);
  CHECK(a.records()[1].amount == 3);
  BinaryWriter writer;
  a.Encode(writer);
  BinaryReader reader(writer.data());
  PurchaseHistory decoded;
  REQUIRE(decoded.Decode(reader));
  CHECK(decoded == a);
  BinaryReader truncated(std::string_view(writer.data()).substr(0, writer.data().size() - 1));
  CHECK_FALSE(decoded.Decode(truncated));
  CHECK_FALSE(PurchaseHistory().MedianIntervalDays().has_value());
}

}  // namespace
}  // namespace rapport::projections
