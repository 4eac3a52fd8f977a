#pragma once
// Satisfaction thresholds, windows and weights of DOMAIN.md §4 with their defaults.
// docs/domain.md ("Satisfaction") explains each; services/config/config.cc binds them as
// domain.satisfaction.*. The half-life and the repurchase window shape folded state:
// changing them needs a rebuild of the satisfaction projection.

namespace rapport::projections {

// Per measure, the slope (per bucket) beyond which a trend is rising or falling:
// falling when slope < -threshold, rising when slope > +threshold, else steady.
struct TrendThresholds {
  double csat = 0.01;                   // share of satisfied answers (0..1) per bucket
  double nps = 1.0;                     // NPS points (-100..100) per bucket
  double mean_gap = 0.05;               // gap points (-9..9) per bucket
  double complaint_rate = 0.005;        // complaints per interaction per bucket
  double resolution_acceptance = 0.01;  // share of accepted resolutions per bucket
  double repurchase_rate = 0.01;        // share of purchases bought again per bucket
};

struct SatisfactionSettings {
  double gap_half_life_days = 30;   // EWMA of perception - expectation, event time
  int repurchase_window_days = 90;  // a purchase followed by another within this counts as repurchased
  int trend_buckets = 8;            // least-squares slope over the last N buckets
  TrendThresholds trend_threshold;
};

}  // namespace rapport::projections
