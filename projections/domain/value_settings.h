#pragma once
// Customer value settings of DOMAIN.md §3 (RFM, pyramid, CLV, value x loyalty) with
// their defaults. Shared by every projection that needs a customer's tier.

#include <array>

namespace rapport::projections {

struct ValueSettings {
  int rfm_window_days = 365;             // F and M count the trailing window
  int pyramid_window_days = 365;         // pyramid ranks value in the trailing window
  bool pyramid_by_profit = false;       // rank by profit instead of revenue
  std::array<double, 3> tier_cuts = {0.01, 0.05, 0.20};  // cumulative shares for A, B, C
  int ranking_refresh_hours = 24;        // event-time hours between ranking rebuilds
  double ranking_time_share = 0.1;       // while catching up, rebuilds take at most this share of time
  int clv_horizon_months = 12;
  double clv_monthly_discount = 0.01;
  double high_loyalty_score = 0.6;       // value x loyalty: high loyalty at or above
  int inactive_after_days = 730;         // no interaction this long: `inactive`
};

}  // namespace rapport::projections
