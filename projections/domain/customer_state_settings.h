#pragma once
// Customer state settings (DOMAIN.md §2: potential -> current -> lost -> won_back)
// with their defaults. `lost` follows the interval half of the churn `overdue` rule
// (§5), evaluated on event time; docs/domain.md explains the choice.

namespace rapport::projections {

struct CustomerStateSettings {
  double lost_interval_factor = 2.0;  // lost: days since last purchase > factor x median interval
  int lost_min_purchases = 2;         // ... which needs at least this many purchases
  int lost_after_days = 365;          // lost whatever the history: no purchase for this long
};

}  // namespace rapport::projections
