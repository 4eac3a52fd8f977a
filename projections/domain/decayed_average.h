#pragma once
// An exponentially weighted moving average over event time (DOMAIN.md §4: the
// satisfaction gap EWMA with a 30-day half-life). Shared by the satisfaction and
// churn projections so both see the same number.
//
// Definition: the average of every sample x_i, weighted by 2^(-(t - t_i) / half_life)
// where t is the newest sample time seen. A sample's weight halves with every
// half-life that passes after it. Because the weights are relative to one reference
// time, the result does not depend on arrival order: a late sample lands exactly as
// if it had arrived in time (replays and out-of-order events agree). The first sample
// is the average. Pure value type.

#include <cstdint>
#include <optional>

#include "storage/binary_codec.h"

namespace rapport::projections {

class DecayedAverage {
 public:
  // Adds `sample` observed at `at_ms`. `half_life_days` > 0.
  void Add(double sample, int64_t at_ms, double half_life_days);

  // nullopt before the first sample.
  std::optional<double> value() const;
  int64_t reference_ms() const { return reference_ms_; }  // newest sample time
  bool empty() const { return weight_ <= 0; }

  void Encode(BinaryWriter& writer) const;
  bool Decode(BinaryReader& reader);
  bool operator==(const DecayedAverage&) const = default;

 private:
  double weighted_sum_ = 0;  // sum of w_i x_i, weights relative to reference_ms_
  double weight_ = 0;        // sum of w_i
  int64_t reference_ms_ = 0;
};

}  // namespace rapport::projections
