#pragma once
// Ranks customers against each other by a score, for the measures of DOMAIN.md §3
// that cannot be folded one event at a time: RFM quintiles and pyramid tiers.
//
// Scores are set incrementally (Set/Remove, O(1)); the ranking itself is a sorted
// snapshot taken by Rebuild (O(N log N)), so a rank answers in O(log N). Between two
// rebuilds a customer's current score is placed among the snapshot's scores: ranks
// are as fresh as the last rebuild, which the caller schedules on event time. Order:
// higher score first, ties by customer id ascending (DOMAIN.md: "ties by customer id").
//
// Pure and single-threaded: no I/O, no clock.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace rapport::projections {

class Ranking {
 public:
  void Set(std::string_view customer_id, int64_t score);
  void Remove(std::string_view customer_id);
  std::optional<int64_t> ScoreOf(std::string_view customer_id) const;
  size_t size() const { return scores_.size(); }

  // Takes a new sorted snapshot of every score.
  void Rebuild();
  size_t snapshot_size() const { return snapshot_.size(); }

  // 0-based rank of (score, customer_id) in the snapshot: how many snapshot entries
  // rank strictly before it. A customer present in the snapshot gets its own place.
  size_t RankOf(int64_t score, std::string_view customer_id) const;

  // The snapshot entry at `rank` (0 = best), for cut-off values in reports.
  std::pair<int64_t, std::string_view> At(size_t rank) const;

 private:
  struct Entry {
    int64_t score;
    std::string customer_id;
  };
  std::unordered_map<std::string, int64_t> scores_;
  std::vector<Entry> snapshot_;
};

// The bucket of a 0-based rank among `population` entries, given cumulative cut
// fractions in increasing order: ranks below round(population * cuts[0]) are
// bucket 0, below round(population * cuts[1]) bucket 1, ..., the rest cuts.size().
//   pyramid tiers: cuts {0.01, 0.05, 0.20} -> 0=A, 1=B, 2=C, 3=D
//   quintiles:     cuts {0.2, 0.4, 0.6, 0.8} -> 0 = top fifth
int BucketOfRank(size_t rank, size_t population, std::span<const double> cuts);

}  // namespace rapport::projections
