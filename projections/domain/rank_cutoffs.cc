#include "projections/domain/rank_cutoffs.h"

#include <algorithm>
#include <cmath>

namespace rapport::projections {
namespace {

// (score_a, id_a) ranks at or before (score_b, id_b).
bool RanksAtOrBefore(int64_t score_a, std::string_view id_a, const RankKey& b) {
  if (score_a != b.score) return score_a > b.score;
  return id_a <= b.customer_id;
}

size_t Limit(size_t population, double cut) {
  return std::min(population, static_cast<size_t>(std::llround(static_cast<double>(population) * cut)));
}

}  // namespace

RankCutoffs RankCutoffs::FromRanking(const Ranking& ranking, std::span<const double> cuts) {
  RankCutoffs out;
  out.population_ = ranking.snapshot_size();
  out.cut_count_ = cuts.size();
  for (double cut : cuts) {
    const size_t limit = Limit(out.population_, cut);
    if (limit == 0) {
      out.last_keys_.emplace_back(std::nullopt);
      continue;
    }
    auto [score, id] = ranking.At(limit - 1);
    out.last_keys_.emplace_back(RankKey{score, std::string(id)});
  }
  return out;
}

RankCutoffs RankCutoffs::FromEntries(std::vector<RankEntry>& entries, std::span<const double> cuts) {
  RankCutoffs out;
  out.population_ = entries.size();
  out.cut_count_ = cuts.size();
  auto before = [](const RankEntry& a, const RankEntry& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  };
  // Each selection leaves the entries before its position ranked before it, so
  // the next (larger) position only needs the rest.
  size_t done = 0;
  for (double cut : cuts) {
    const size_t limit = Limit(out.population_, cut);
    if (limit == 0) {
      out.last_keys_.emplace_back(std::nullopt);
      continue;
    }
    const size_t position = limit - 1;
    if (position >= done) {
      std::nth_element(entries.begin() + static_cast<std::ptrdiff_t>(done),
                       entries.begin() + static_cast<std::ptrdiff_t>(position), entries.end(), before);
      done = position;
    }
    const RankEntry& last = entries[position];
    out.last_keys_.emplace_back(RankKey{last.first, std::string(last.second)});
  }
  return out;
}

int RankCutoffs::BucketOf(int64_t score, std::string_view customer_id) const {
  for (size_t i = 0; i < last_keys_.size(); ++i) {
    if (last_keys_[i] && RanksAtOrBefore(score, customer_id, *last_keys_[i])) return static_cast<int>(i);
  }
  return static_cast<int>(cut_count_);
}

void RankCutoffs::Encode(BinaryWriter& w) const {
  w.PutVarint(population_);
  w.PutVarint(cut_count_);
  for (const auto& key : last_keys_) {
    w.PutBool(key.has_value());
    if (!key) continue;
    w.PutSigned(key->score);
    w.PutString(key->customer_id);
  }
}

bool RankCutoffs::Decode(BinaryReader& r) {
  last_keys_.clear();
  if (!r.GetCount(&population_) || !r.GetCount(&cut_count_) || cut_count_ > 64) return false;
  for (size_t i = 0; i < cut_count_; ++i) {
    bool present = false;
    if (!r.GetBool(&present)) return false;
    if (!present) {
      last_keys_.emplace_back(std::nullopt);
      continue;
    }
    RankKey key;
    if (!r.GetSigned(&key.score) || !r.GetString(&key.customer_id)) return false;
    last_keys_.emplace_back(std::move(key));
  }
  return true;
}

}  // namespace rapport::projections
