#include "projections/domain/ranking.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace rapport::projections {
namespace {

// True when (score_a, id_a) ranks before (score_b, id_b).
bool RanksBefore(int64_t score_a, std::string_view id_a, int64_t score_b, std::string_view id_b) {
  if (score_a != score_b) return score_a > score_b;
  return id_a < id_b;
}

}  // namespace

void Ranking::Set(std::string_view customer_id, int64_t score) {
  auto it = scores_.find(std::string(customer_id));
  if (it == scores_.end()) {
    scores_.emplace(std::string(customer_id), score);
  } else {
    it->second = score;
  }
}

void Ranking::Remove(std::string_view customer_id) { scores_.erase(std::string(customer_id)); }

std::optional<int64_t> Ranking::ScoreOf(std::string_view customer_id) const {
  auto it = scores_.find(std::string(customer_id));
  if (it == scores_.end()) return std::nullopt;
  return it->second;
}

void Ranking::Rebuild() {
  snapshot_.clear();
  snapshot_.reserve(scores_.size());
  for (const auto& [id, score] : scores_) snapshot_.push_back({score, id});
  std::sort(snapshot_.begin(), snapshot_.end(), [](const Entry& a, const Entry& b) {
    return RanksBefore(a.score, a.customer_id, b.score, b.customer_id);
  });
}

size_t Ranking::RankOf(int64_t score, std::string_view customer_id) const {
  auto it = std::partition_point(snapshot_.begin(), snapshot_.end(), [&](const Entry& entry) {
    return RanksBefore(entry.score, entry.customer_id, score, customer_id);
  });
  return static_cast<size_t>(it - snapshot_.begin());
}

std::pair<int64_t, std::string_view> Ranking::At(size_t rank) const {
  const Entry& entry = snapshot_.at(rank);
  return {entry.score, entry.customer_id};
}

int BucketOfRank(size_t rank, size_t population, std::span<const double> cuts) {
  for (size_t i = 0; i < cuts.size(); ++i) {
    const auto limit = static_cast<size_t>(std::llround(static_cast<double>(population) * cuts[i]));
    if (rank < limit) return static_cast<int>(i);
  }
  return static_cast<int>(cuts.size());
}

}  // namespace rapport::projections
