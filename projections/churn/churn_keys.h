#pragma once
// Every key of the churn store in one place: the meta family holds the clock and
// the counters, the index family the timers, pending and released alerts, the
// alert log and outbox, monthly periods, model fits and webhook dead letters.
// Numbers in keys are zero-padded to 20 digits so that keys sort by them. These
// keys are on disk: do not change them.

#include <cstdint>
#include <string>
#include <string_view>

#include <rocksdb/slice.h>

#include "events/status.h"
#include "storage/store.h"

namespace rapport::projections {

// kMeta keys, beside the runtime's own (projections/runtime/projection_store_keys.h).
inline constexpr std::string_view kChurnEventTimeKey = "churn/event-time";
inline constexpr std::string_view kChurnWatermarkPrefix = "churn/watermark/";  // + partition
inline constexpr std::string_view kChurnMinEventKey = "churn/min-event";
inline constexpr std::string_view kChurnNextSequenceKey = "churn/next-sequence";
inline constexpr std::string_view kChurnNextMonthKey = "churn/next-month";
inline constexpr std::string_view kWebhookCursorPrefix = "churn/webhook-next/";  // + url: next alert to send

// kIndex prefixes.
inline constexpr std::string_view kTimerPrefix = "timer/";             // deadline/customer
inline constexpr std::string_view kPendingPrefix = "pending/";         // at/customer\0n
inline constexpr std::string_view kAlertRecordPrefix = "alert/";       // raised at/alert id
inline constexpr std::string_view kCustomerAlertPrefix = "customer-alert/";  // customer\0at/alert id
inline constexpr std::string_view kOpenAlertPrefix = "open/";          // customer\0alert id
inline constexpr std::string_view kChurnStatsPrefix = "stats/month/";  // "2026-03"
inline constexpr std::string_view kWebhookDeadPrefix = "webhook-dead/";
inline constexpr std::string_view kChurnFitPrefix = "fit/";  // as_of
inline constexpr std::string_view kAlertLogPrefix = "log/";
inline constexpr std::string_view kOutboxPrefix = "outbox/";

// `value` as 20 digits, zero-padded.
std::string PaddedNumber(int64_t value);

std::string TimerKey(int64_t deadline, const std::string& customer);
std::string PendingAlertKey(int64_t at, const std::string& customer, int64_t n);
std::string AlertRecordKey(int64_t at, const std::string& alert_id);
std::string CustomerAlertPrefix(std::string_view customer);  // + at/alert id
std::string OpenAlertKey(const std::string& customer, const std::string& alert_id);
std::string AlertLogKey(int64_t sequence);
std::string OutboxKey(int64_t sequence);
std::string WebhookDeadLetterKey(int64_t sequence, std::string_view url);

bool KeyStartsWith(const rocksdb::Slice& key, std::string_view prefix);

// A number stored as text; Corruption naming `what` when it is not one.
Result<int64_t> ParseStoredNumber(const std::string& text, std::string_view what);
// The number under meta `key`, or `fallback` when absent.
Result<int64_t> ReadMetaNumber(const Store& store, std::string_view key, int64_t fallback);

}  // namespace rapport::projections
