#include "projections/domain/decayed_average.h"

#include <cmath>

#include "events/time_format.h"

namespace rapport::projections {
namespace {

// The weight of a sample `age_ms` older than the reference time.
double WeightOf(int64_t age_ms, double half_life_days) {
  const double half_lives = static_cast<double>(age_ms) / (half_life_days * events::kMillisPerDay);
  return std::exp2(-half_lives);
}

}  // namespace

void DecayedAverage::Add(double sample, int64_t at_ms, double half_life_days) {
  if (empty()) {
    weighted_sum_ = sample;
    weight_ = 1;
    reference_ms_ = at_ms;
    return;
  }
  if (at_ms > reference_ms_) {
    // Move the reference to the new sample: every older weight decays.
    const double decay = WeightOf(at_ms - reference_ms_, half_life_days);
    weighted_sum_ *= decay;
    weight_ *= decay;
    reference_ms_ = at_ms;
  }
  const double weight = WeightOf(reference_ms_ - at_ms, half_life_days);
  weighted_sum_ += weight * sample;
  weight_ += weight;
}

std::optional<double> DecayedAverage::value() const {
  if (empty()) return std::nullopt;
  return weighted_sum_ / weight_;
}

void DecayedAverage::Encode(BinaryWriter& writer) const {
  writer.PutDouble(weighted_sum_);
  writer.PutDouble(weight_);
  writer.PutSigned(reference_ms_);
}

bool DecayedAverage::Decode(BinaryReader& reader) {
  return reader.GetDouble(&weighted_sum_) && reader.GetDouble(&weight_) && reader.GetSigned(&reference_ms_);
}

}  // namespace rapport::projections
