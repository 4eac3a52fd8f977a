#pragma once
// The cut-offs of a ranking, kept so that anyone can bucket a (score, customer id)
// later without the ranking itself: the query service reads them from the store.
//
// With N ranked entries and cumulative fractions f_0 < f_1 < ..., bucket i holds the
// ranks [round(N f_{i-1}), round(N f_i)) (projections/domain/ranking.h, BucketOfRank). For
// each cut this keeps the key of the LAST entry inside it; a key belongs to the first
// bucket whose last key it does not rank after. That is exactly
// BucketOfRank(ranking.RankOf(score, id), N, cuts) on the ranking's snapshot, for
// customers in it and for scores it never saw. Order: higher score first, ties by
// customer id ascending. Value type; pure.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "storage/binary_codec.h"
#include "projections/domain/ranking.h"

namespace rapport::projections {

struct RankKey {
  int64_t score = 0;
  std::string customer_id;
  bool operator==(const RankKey&) const = default;
};

// A (score, customer id) to rank; the id is borrowed.
using RankEntry = std::pair<int64_t, std::string_view>;

class RankCutoffs {
 public:
  RankCutoffs() = default;  // no population: every key falls past the last cut
  // From the ranking's current snapshot (Ranking::Rebuild first).
  static RankCutoffs FromRanking(const Ranking& ranking, std::span<const double> cuts);
  // From unsorted entries (one per customer), in O(N x cuts) without a full sort:
  // the same cut-offs as a Ranking of those entries. Reorders `entries`.
  static RankCutoffs FromEntries(std::vector<RankEntry>& entries, std::span<const double> cuts);

  // 0 for the first bucket (the best), cuts.size() past the last cut.
  int BucketOf(int64_t score, std::string_view customer_id) const;

  size_t population() const { return population_; }
  size_t cut_count() const { return cut_count_; }
  // Per cut, the last key inside it; nullopt when round(N x cut) is 0.
  const std::vector<std::optional<RankKey>>& last_keys() const { return last_keys_; }

  void Encode(BinaryWriter& writer) const;
  bool Decode(BinaryReader& reader);
  bool operator==(const RankCutoffs&) const = default;

 private:
  size_t population_ = 0;
  size_t cut_count_ = 0;
  std::vector<std::optional<RankKey>> last_keys_;
};

// 1..5 RFM score of a key against quintile cut-offs (5 = best fifth).
inline constexpr double kQuintileCuts[] = {0.2, 0.4, 0.6, 0.8};

}  // namespace rapport::projections
