#pragma once
// Every threshold, window and weight of DOMAIN.md, with its documented default.
// Loaded from the `domain:` section of the config file (services/config.h); never a
// literal buried in a fold. docs/domain.md explains each one.

#include <cstdint>

#include "projections/churn_settings.h"
#include "projections/customer_state_settings.h"
#include "projections/loyalty_settings.h"
#include "projections/satisfaction_settings.h"
#include "projections/value_settings.h"

namespace rapport::projections {

struct LifecycleSettings {
  int formation_min_purchases = 2;     // fewer is `exploration`
  int stability_min_purchases = 4;
  int stability_min_tenure_days = 180;
  double decline_interval_factor = 2.0;  // days since last purchase > factor x median interval
  int decline_window_days = 90;          // compare the last window with the one before
  double decline_ratio = 0.5;            // last window count < ratio x previous window count
};

struct DomainSettings {
  LifecycleSettings lifecycle;
  CustomerStateSettings state;        // projections/customer_state_settings.h
  ValueSettings value;                // projections/value_settings.h
  SatisfactionSettings satisfaction;  // projections/satisfaction_settings.h
  LoyaltySettings loyalty;            // projections/loyalty_settings.h
  ChurnSettings churn;                // projections/churn_settings.h
};

}  // namespace rapport::projections
