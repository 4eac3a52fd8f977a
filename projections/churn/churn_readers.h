#pragma once
// Reads of a churn store, for the query API, the alert stream and webhooks, and
// tools. Any open mode; thread-safe (each call makes its own iterator).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "events/status.h"
#include "models/model_parameters.h"
#include "projections/churn/churn_alert.h"
#include "projections/churn/churn_periods.h"
#include "projections/domain/tier.h"
#include "storage/store.h"

namespace rapport::projections {

// Alert log entries with sequence > after_sequence, oldest first, at most `limit`.
Result<std::vector<AlertEvent>> ReadAlertLog(const Store& store, int64_t after_sequence, size_t limit);
// The sequence number of the newest log entry (0 when empty).
Result<int64_t> LastAlertSequence(const Store& store);

struct AlertFilter {
  std::optional<std::string> status;  // "open" | "cleared"
  std::optional<Tier> tier;
  int64_t since_ms = 0;  // raised at or after
  size_t limit = 100;
  std::string cursor;  // from a previous page
};
// Alert records (raised alerts with their status), oldest first. *next_cursor is
// empty on the last page.
Result<std::vector<nlohmann::json>> ListAlerts(const Store& store, const AlertFilter& filter,
                                               std::string* next_cursor);
Result<std::vector<nlohmann::json>> CustomerAlerts(const Store& store, std::string_view customer_id);

// Every month's churn counts, oldest first.
Result<std::vector<ChurnPeriod>> ReadChurnPeriods(const Store& store);

// The BG/NBD fits the projection has taken in, by as_of.
Result<std::vector<ModelParameters>> ReadChurnFits(const Store& store);

// Webhook dead letters (written by services/alerts/alert_webhooks.h under
// WebhookDeadLetterKey, projections/churn/churn_keys.h), oldest first.
Result<std::vector<nlohmann::json>> ReadWebhookDeadLetters(const Store& store);

}  // namespace rapport::projections
