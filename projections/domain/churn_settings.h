#pragma once
// Churn thresholds, windows and weights of DOMAIN.md §5 with their defaults, plus
// the churn projection's event-time clock and the alert delivery settings.
// docs/domain.md ("Churn") explains each one; CheckChurnSettings (churn_rules.h)
// refuses impossible values at start with an error naming the setting.

#include <string>

namespace rapport::projections {

struct ChurnSettings {
  // overdue: days since last purchase > factor x median inter-purchase interval...
  double overdue_interval_factor = 2.0;
  int overdue_min_purchases = 2;       // ... which needs at least this many purchases
  double overdue_p_alive_below = 0.5;  // ... or P(alive) below this (under a published BG/NBD fit)
  // A fit as of event time t applies from t + this (projections/churn/churn_fit_book.h):
  // time for the live service to learn of it before event time gets there.
  int p_alive_fit_delay_hours = 24;

  // satisfaction_drop: the gap EWMA fell by at least this many points within the window...
  double satisfaction_half_life_days = 30.0;
  double satisfaction_drop_points = 2.0;
  int satisfaction_drop_window_days = 30;
  int nps_detractor_max = 6;  // ... or an NPS answer of 0..this

  // complaints: a complaint of at least this severity open more than this many days...
  int complaint_severity_min = 4;
  int complaint_open_days = 7;
  int complaint_count = 3;  // ... or at least this many complaints within the window
  int complaint_window_days = 30;

  // frequency_decline uses the lifecycle `decline` settings (domain.lifecycle.*).

  // Event time. The wall-clock tick covers quiet partitions and quiet streams: every
  // wall_tick_seconds while idle (caught up on every partition), event time is
  // raised to the newest event time seen, and, when that is no older than
  // wall_tick_live_within_hours (the stream carries current events, not a history
  // being loaded), to now - wall_tick_lag_seconds. Only the live service ticks (the
  // registry's ProjectionDeps::live); replays never do, whatever this says. 0 = off.
  int wall_tick_seconds = 60;
  int wall_tick_lag_seconds = 300;
  int wall_tick_live_within_hours = 24;
  int partitions = 0;  // interactions partitions the clock waits for; 0 = kafka.partitions

  // Alert delivery (live service only; a replay has neither).
  std::string webhook_urls;             // comma-separated http(s) URLs; empty = no webhooks
  std::string webhook_secrets;          // comma-separated, one per URL in order: HMAC keys
  std::string webhook_allow_hosts;      // comma-separated hosts/IPs allowed on private ranges
  std::string webhook_ca_file;          // PEM CA bundle for https (empty: the system's)
  int webhook_timeout_ms = 5000;        // per POST
  int webhook_max_attempts = 5;         // then a dead-letter record and the next alert
  int webhook_backoff_ms = 500;         // first retry delay, doubled each attempt...
  int webhook_backoff_max_ms = 30'000;  // ... up to this
  int outbox_batch = 500;               // alerts published per Kafka batch
};

}  // namespace rapport::projections
