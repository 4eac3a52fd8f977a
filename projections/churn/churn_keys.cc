#include "projections/churn/churn_keys.h"

#include <charconv>
#include <cstdio>

namespace rapport::projections {

std::string PaddedNumber(int64_t value) {
  char text[24];
  std::snprintf(text, sizeof(text), "%020lld", static_cast<long long>(value));
  return text;
}

std::string TimerKey(int64_t deadline, const std::string& customer) {
  return std::string(kTimerPrefix) + PaddedNumber(deadline) + "/" + customer;
}

std::string PendingAlertKey(int64_t at, const std::string& customer, int64_t n) {
  std::string key = std::string(kPendingPrefix) + PaddedNumber(at) + "/" + customer;
  key.push_back('\0');
  return key + PaddedNumber(n);
}

std::string AlertRecordKey(int64_t at, const std::string& alert_id) {
  return std::string(kAlertRecordPrefix) + PaddedNumber(at) + "/" + alert_id;
}

std::string CustomerAlertPrefix(std::string_view customer) {
  std::string key = std::string(kCustomerAlertPrefix) + std::string(customer);
  key.push_back('\0');
  return key;
}

std::string OpenAlertKey(const std::string& customer, const std::string& alert_id) {
  std::string key = std::string(kOpenAlertPrefix) + customer;
  key.push_back('\0');
  return key + alert_id;
}

std::string AlertLogKey(int64_t sequence) { return std::string(kAlertLogPrefix) + PaddedNumber(sequence); }

std::string OutboxKey(int64_t sequence) { return std::string(kOutboxPrefix) + PaddedNumber(sequence); }

std::string WebhookDeadLetterKey(int64_t sequence, std::string_view url) {
  return std::string(kWebhookDeadPrefix) + PaddedNumber(sequence) + "/" + std::string(url);
}

bool KeyStartsWith(const rocksdb::Slice& key, std::string_view prefix) {
  return key.size() >= prefix.size() && std::string_view(key.data(), prefix.size()) == prefix;
}

Result<int64_t> ParseStoredNumber(const std::string& text, std::string_view what) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return Status::Corruption("stored " + std::string(what) + " is not a number: " + text);
  }
  return value;
}

Result<int64_t> ReadMetaNumber(const Store& store, std::string_view key, int64_t fallback) {
  auto stored = store.Get(Family::kMeta, key);
  if (!stored.ok()) return stored.status();
  if (!stored->has_value()) return fallback;
  return ParseStoredNumber(**stored, key);
}

}  // namespace rapport::projections
