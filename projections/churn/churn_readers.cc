#include "projections/churn/churn_readers.h"

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>

#include "projections/churn/churn_keys.h"

namespace rapport::projections {
namespace {

// Every index value under `prefix`, decoded in key order; a value that does not
// decode fails with `key_context` and its key, a failed scan with `what`.
template <typename T, typename Decode>
Result<std::vector<T>> DecodeAllUnder(const Store& store, std::string_view prefix, Decode decode,
                                      std::string_view key_context, std::string_view what) {
  std::vector<T> out;
  auto it = store.NewIterator(Family::kIndex);
  for (it->Seek(prefix); it->Valid() && KeyStartsWith(it->key(), prefix); it->Next()) {
    auto decoded = decode(std::string_view(it->value().data(), it->value().size()));
    if (!decoded.ok()) return decoded.status().WithContext(std::string(key_context) + it->key().ToString());
    out.push_back(std::move(decoded).value());
  }
  if (!it->status().ok()) return FromRocks(it->status(), what);
  return out;
}

}  // namespace

Result<std::vector<AlertEvent>> ReadAlertLog(const Store& store, int64_t after_sequence, size_t limit) {
  std::vector<AlertEvent> out;
  auto it = store.NewIterator(Family::kIndex);
  for (it->Seek(AlertLogKey(after_sequence + 1));
       it->Valid() && KeyStartsWith(it->key(), kAlertLogPrefix) && out.size() < limit; it->Next()) {
    auto alert = DecodeAlertWire(std::string_view(it->value().data(), it->value().size()));
    if (!alert.ok()) return alert.status().WithContext(it->key().ToString());
    out.push_back(std::move(alert).value());
  }
  if (!it->status().ok()) return FromRocks(it->status(), "read the alert log");
  return out;
}

Result<int64_t> LastAlertSequence(const Store& store) {
  auto it = store.NewIterator(Family::kIndex);
  it->SeekForPrev(std::string(kAlertLogPrefix) + "~");
  if (!it->Valid() || !KeyStartsWith(it->key(), kAlertLogPrefix)) return int64_t{0};
  return ParseStoredNumber(it->key().ToString().substr(kAlertLogPrefix.size()), "alert log sequence");
}

Result<std::vector<nlohmann::json>> ListAlerts(const Store& store, const AlertFilter& filter,
                                               std::string* next_cursor) {
  std::vector<nlohmann::json> out;
  next_cursor->clear();
  auto it = store.NewIterator(Family::kIndex);
  if (!filter.cursor.empty()) {
    it->Seek(filter.cursor);
    if (it->Valid() && it->key().ToString() == filter.cursor) it->Next();
  } else {
    it->Seek(std::string(kAlertRecordPrefix) + PaddedNumber(std::max<int64_t>(0, filter.since_ms)));
  }
  for (; it->Valid() && KeyStartsWith(it->key(), kAlertRecordPrefix); it->Next()) {
    nlohmann::json record = nlohmann::json::parse(it->value().ToString(), nullptr, false);
    if (record.is_discarded())
      return Status::Corruption("alert record " + it->key().ToString() + " is not JSON");
    if (filter.status && record.value("status", "") != *filter.status) continue;
    if (filter.tier && record.value("tier", "") != TierName(*filter.tier)) continue;
    if (out.size() == filter.limit) {
      // More match: the page ends at the last one returned.
      break;
    }
    out.push_back(std::move(record));
    *next_cursor = it->key().ToString();
  }
  if (!it->status().ok()) return FromRocks(it->status(), "list alerts");
  if (!it->Valid() || !KeyStartsWith(it->key(), kAlertRecordPrefix)) next_cursor->clear();
  return out;
}

Result<std::vector<nlohmann::json>> CustomerAlerts(const Store& store, std::string_view customer_id) {
  std::vector<nlohmann::json> out;
  const std::string prefix = CustomerAlertPrefix(customer_id);
  auto it = store.NewIterator(Family::kIndex);
  for (it->Seek(prefix); it->Valid() && KeyStartsWith(it->key(), prefix); it->Next()) {
    auto stored = store.Get(Family::kIndex, it->value().ToString());
    if (!stored.ok()) return stored.status();
    if (!stored->has_value()) continue;
    nlohmann::json record = nlohmann::json::parse(**stored, nullptr, false);
    if (record.is_discarded()) return Status::Corruption("alert record of " + std::string(customer_id));
    out.push_back(std::move(record));
  }
  if (!it->status().ok()) return FromRocks(it->status(), "customer alerts");
  return out;
}

Result<std::vector<ChurnPeriod>> ReadChurnPeriods(const Store& store) {
  return DecodeAllUnder<ChurnPeriod>(store, kChurnStatsPrefix, DecodeChurnPeriod, "", "churn periods");
}

Result<std::vector<ModelParameters>> ReadChurnFits(const Store& store) {
  return DecodeAllUnder<ModelParameters>(store, kChurnFitPrefix, DecodeModelParameters, "stored churn fit ",
                                         "read churn fits");
}

Result<std::vector<nlohmann::json>> ReadWebhookDeadLetters(const Store& store) {
  std::vector<nlohmann::json> out;
  auto it = store.NewIterator(Family::kIndex);
  for (it->Seek(kWebhookDeadPrefix); it->Valid() && KeyStartsWith(it->key(), kWebhookDeadPrefix); it->Next()) {
    nlohmann::json record = nlohmann::json::parse(it->value().ToString(), nullptr, false);
    if (!record.is_discarded()) out.push_back(std::move(record));
  }
  if (!it->status().ok()) return FromRocks(it->status(), "webhook dead letters");
  return out;
}

}  // namespace rapport::projections
