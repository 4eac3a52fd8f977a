#pragma once
// The P(alive) half of the churn rule `overdue` (DOMAIN.md §5): which fitted BG/NBD
// parameters apply at an event time, and when P(alive) crosses the threshold.
//
// Determinism: the same history must give the same alerts, on replay too, so the
// parameters used at event time t are a function of t and of the set of published
// fits, never of when a fit happened to be fetched. A fit fitted on data as of
// `as_of` takes effect at as_of + delay (domain.churn.p_alive_fit_delay_hours):
// the delay leaves the live service time to learn of the fit before event time
// reaches that instant, so live and replay apply it from the same instant. At t the
// fit in effect is the one with the latest effective time <= t; two fits with the
// same as_of are told apart by fitted_at_ms, then by their bytes (the same choice
// whatever the arrival order). With no fit in effect the P(alive) half is not
// applied. Pure value type, no I/O.

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "models/bgnbd.h"
#include "models/model_parameters.h"
#include "projections/domain/purchase_history.h"

namespace rapport::projections {

struct FitInEffect {
  int64_t as_of_ms = 0;
  int64_t effective_ms = 0;
  BgNbdParams params;
};

class ChurnFitBook {
 public:
  explicit ChurnFitBook(int64_t delay_ms = 0) : delay_ms_(delay_ms) {}

  // Adds a published fit; true when it changed the book (a new as_of, or a fit that
  // wins over the one known for its as_of).
  bool Add(const ModelParameters& parameters);

  // The fit in effect at `at_ms`; nullopt before the first one takes effect.
  std::optional<FitInEffect> InEffectAt(int64_t at_ms) const;
  // The earliest effective time > after_ms; 0 when none.
  int64_t NextEffectiveAfter(int64_t after_ms) const;

  bool empty() const { return fits_.empty(); }
  size_t size() const { return fits_.size(); }
  int64_t delay_ms() const { return delay_ms_; }
  // Every fit kept, by as_of (for persisting them).
  const std::map<int64_t, ModelParameters>& fits() const { return fits_; }

 private:
  int64_t delay_ms_;
  std::map<int64_t, ModelParameters> fits_;  // as_of -> the winning fit
};

// BG/NBD P(alive) of `purchases` at `at_ms` under `params` (time unit: days,
// projections/domain/model_inputs.h); nullopt without purchases by then.
std::optional<double> PAliveAt(const BgNbdParams& params, const PurchaseHistory& purchases, int64_t at_ms);

// The customer's age T* (days since the first purchase) past which P(alive) is
// below `threshold`, for x >= 1 repeat purchases with the last at t_x:
//   P < p  <=>  (a / (b + x - 1)) ((alpha + T) / (alpha + t_x))^(r + x) > 1/p - 1
//   T* = (alpha + t_x) ((1/p - 1)(b + x - 1) / a)^(1 / (r + x)) - alpha.
// P(alive) falls monotonically in T with no purchase, so it stays below after T*.
// May be <= t_x (the model deems the customer likely gone right after buying).
// nullopt for x = 0 (P(alive) is 1) or a non-finite result.
std::optional<double> PAliveCrossingAgeDays(const BgNbdParams& params, const RepeatSummary& summary,
                                            double threshold);

// The first instant (ms) strictly after the last purchase at which P(alive) under
// `params` is below `threshold`; 0 when it never is (fewer than 2 purchases).
int64_t PAliveCrossingMs(const BgNbdParams& params, const PurchaseHistory& purchases, double threshold);

}  // namespace rapport::projections
