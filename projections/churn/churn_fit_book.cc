#include "projections/churn/churn_fit_book.h"

#include <cmath>
#include <limits>
#include <tuple>

#include "projections/domain/model_inputs.h"

namespace rapport::projections {

bool ChurnFitBook::Add(const ModelParameters& parameters) {
  auto [it, inserted] = fits_.emplace(parameters.as_of_ms, parameters);
  if (inserted) return true;
  const ModelParameters& known = it->second;
  if (known == parameters) return false;
  // The same as_of fitted twice: the later fit wins, then the bytes decide, so the
  // choice does not depend on which arrived first.
  const auto rank = [](const ModelParameters& p) {
    return std::make_tuple(p.fitted_at_ms, EncodeModelParameters(p));
  };
  if (rank(parameters) <= rank(known)) return false;
  it->second = parameters;
  return true;
}

std::optional<FitInEffect> ChurnFitBook::InEffectAt(int64_t at_ms) const {
  // Effective times keep the order of as_of (one delay for all).
  auto it = fits_.upper_bound(at_ms - delay_ms_);
  if (it == fits_.begin()) return std::nullopt;
  --it;
  return FitInEffect{it->first, it->first + delay_ms_, it->second.bgnbd};
}

int64_t ChurnFitBook::NextEffectiveAfter(int64_t after_ms) const {
  auto it = fits_.upper_bound(after_ms - delay_ms_);
  return it == fits_.end() ? 0 : it->first + delay_ms_;
}

std::optional<double> PAliveAt(const BgNbdParams& params, const PurchaseHistory& purchases, int64_t at_ms) {
  const auto inputs = ModelInputsFromPurchases(purchases.records(), at_ms);
  if (!inputs) return std::nullopt;
  return ProbabilityAlive(params, inputs->repeat);
}

std::optional<double> PAliveCrossingAgeDays(const BgNbdParams& p, const RepeatSummary& s, double threshold) {
  if (s.x < 1 || !(threshold > 0 && threshold < 1)) return std::nullopt;
  const double x = static_cast<double>(s.x);
  const double odds = 1.0 / threshold - 1.0;
  const double age = (p.alpha + s.t_x) * std::pow(odds * (p.b + x - 1.0) / p.a, 1.0 / (p.r + x)) - p.alpha;
  if (!std::isfinite(age)) return std::nullopt;
  return age;
}

int64_t PAliveCrossingMs(const BgNbdParams& params, const PurchaseHistory& purchases, double threshold) {
  if (purchases.count() < 2) return 0;
  const auto inputs = ModelInputsFromPurchases(purchases.records(), purchases.last_ms());
  if (!inputs) return 0;
  const auto age = PAliveCrossingAgeDays(params, inputs->repeat, threshold);
  if (!age) return 0;
  const double at = static_cast<double>(purchases.first_ms()) + *age * kMsPerDay;
  if (at >= static_cast<double>(std::numeric_limits<int64_t>::max() / 2)) return 0;
  // ceil + 1 ms: strictly past the crossing however the days round, so the rule
  // evaluated at the deadline sees P(alive) below the threshold.
  const int64_t deadline = static_cast<int64_t>(std::ceil(at)) + 1;
  return std::max(deadline, purchases.last_ms() + 1);
}

}  // namespace rapport::projections
