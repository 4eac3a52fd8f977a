#pragma once
// Every threshold, window and weight of DOMAIN.md, with its documented default.
// Loaded from the `domain:` section of the config file (services/config/config.h); never a
// literal buried in a fold. docs/domain.md explains each one.

#include <cstdint>

#include "events/status.h"
#include "projections/domain/churn_settings.h"
#include "projections/domain/customer_state_settings.h"
#include "projections/domain/loyalty_settings.h"
#include "projections/domain/satisfaction_settings.h"
#include "projections/domain/value_settings.h"

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
  CustomerStateSettings state;        // projections/domain/customer_state_settings.h
  ValueSettings value;                // projections/domain/value_settings.h
  SatisfactionSettings satisfaction;  // projections/domain/satisfaction_settings.h
  LoyaltySettings loyalty;            // projections/domain/loyalty_settings.h
  ChurnSettings churn;                // projections/domain/churn_settings.h
};

// Settings no evaluation could use (a window of 0 days, tier shares out of order,
// a lapse factor of 0...) are an error naming the setting, at start.
Status CheckCustomerValueSettings(const DomainSettings& settings);

}  // namespace rapport::projections
