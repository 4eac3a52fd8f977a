#pragma once
// Loyalty thresholds, windows and weights of DOMAIN.md §4 with their defaults.
// docs/domain.md ("Loyalty") explains each; services/config/config.cc binds them as
// domain.loyalty.*. The value x loyalty cut (high_loyalty_score) and the inactive
// mark (inactive_after_days) are value settings (ValueSettings, DOMAIN.md §3).

namespace rapport::projections {

// The weight of each component of the loyalty score. Components a customer has no
// data for (share of wallet without a wallet estimate, resolution acceptance without
// a resolution) drop out, and the others' weights are rescaled to sum to 1.
struct LoyaltyWeights {
  double repeat_purchase = 0.20;
  double frequency = 0.20;
  double interval = 0.10;
  double share_of_wallet = 0.20;
  double tenure = 0.15;
  double referrals = 0.05;
  double resolution_acceptance = 0.10;
};

struct LoyaltySettings {
  int window_days = 365;             // purchase frequency and share-of-wallet revenue: trailing window
  double frequency_target = 12;      // purchases in the window that score 1
  double interval_target_days = 30;  // a median inter-purchase interval this short (or shorter) scores 1
  double tenure_target_days = 365;   // tenure that scores 1
  double referrals_target = 2;       // referrals made that score 1
  LoyaltyWeights weights;
};

}  // namespace rapport::projections
