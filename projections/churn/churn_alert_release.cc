#include "projections/churn/churn_alert_release.h"

#include <nlohmann/json.hpp>

#include "events/time_format.h"
#include "projections/churn/churn_keys.h"

namespace rapport::projections {
namespace {

// The record of a raised alert, open; indexed by customer and by open alert.
void OpenRecord(const AlertEvent& alert, ChurnIndexWrites& index) {
  nlohmann::json record = AlertToJson(alert);
  record["status"] = "open";
  const std::string record_key = AlertRecordKey(alert.at_ms, alert.alert_id);
  index.Put(record_key, record.dump());
  index.Put(CustomerAlertPrefix(alert.customer_id) + PaddedNumber(alert.at_ms) + "/" + alert.alert_id, record_key);
  index.Put(OpenAlertKey(alert.customer_id, alert.alert_id), record_key);
}

// The record a clear clears, if it is still open: cleared, and no longer open.
Status CloseRecord(const AlertEvent& alert, const Store& store, ChurnIndexWrites& index) {
  const std::string open_key = OpenAlertKey(alert.customer_id, alert.alert_id);
  auto record_key = index.Get(store, open_key);
  if (!record_key.ok()) return record_key.status();
  if (!record_key->has_value()) return Status::Ok();
  auto stored = index.Get(store, **record_key);
  if (!stored.ok()) return stored.status();
  if (stored->has_value()) {
    nlohmann::json record = nlohmann::json::parse(**stored, nullptr, false);
    if (record.is_discarded()) return Status::Corruption("alert record " + **record_key + " is not JSON");
    record["status"] = "cleared";
    record["cleared_at"] = events::FormatRfc3339(alert.at_ms);
    record["cleared_by_event_id"] = alert.triggering_event_id;
    index.Put(**record_key, record.dump());
  }
  index.Delete(open_key);
  return Status::Ok();
}

}  // namespace

Status ChurnAlertRelease::Load(const Store& store) {
  pending_.clear();
  auto next_sequence = ReadMetaNumber(store, kChurnNextSequenceKey, 1);
  if (!next_sequence.ok()) return next_sequence.status();
  next_sequence_ = *next_sequence;
  auto it = store.NewIterator(Family::kIndex);
  for (it->Seek(kPendingPrefix); it->Valid() && KeyStartsWith(it->key(), kPendingPrefix); it->Next()) {
    const std::string key = it->key().ToString();
    auto alert = DecodeAlertWire(std::string_view(it->value().data(), it->value().size()));
    if (!alert.ok()) return alert.status().WithContext("pending alert " + key);
    const size_t nul = key.find('\0');
    auto n = ParseStoredNumber(key.substr(nul + 1), "pending alert number");
    if (!n.ok()) return n.status();
    pending_.emplace(Key{alert->at_ms, alert->customer_id, *n}, std::move(alert).value());
  }
  if (!it->status().ok()) return FromRocks(it->status(), "read pending alerts");
  return Status::Ok();
}

void ChurnAlertRelease::Write(const Store& store, rocksdb::WriteBatch& batch) const {
  batch.Put(store.handle(Family::kMeta), kChurnNextSequenceKey, std::to_string(next_sequence_));
}

void ChurnAlertRelease::Queue(int64_t n, AlertEvent alert, ChurnIndexWrites& index) {
  index.Put(PendingAlertKey(alert.at_ms, alert.customer_id, n), EncodeAlertWire(alert));
  pending_.emplace(Key{alert.at_ms, alert.customer_id, n}, std::move(alert));
}

std::optional<AlertEvent> ChurnAlertRelease::TakeBefore(int64_t before_ms, ChurnIndexWrites& index) {
  if (pending_.empty() || std::get<0>(pending_.begin()->first) >= before_ms) return std::nullopt;
  auto node = pending_.extract(pending_.begin());
  const auto& [at, customer, n] = node.key();
  index.Delete(PendingAlertKey(at, customer, n));
  return std::move(node.mapped());
}

Status ChurnAlertRelease::Release(AlertEvent alert, const Store& store, ChurnIndexWrites& index) {
  alert.sequence = next_sequence_++;
  if (alert.kind == AlertKind::kRaised) {
    OpenRecord(alert, index);
  } else {
    RAPPORT_RETURN_IF_ERROR(CloseRecord(alert, store, index));
  }
  index.Put(AlertLogKey(alert.sequence), EncodeAlertWire(alert));
  index.Put(OutboxKey(alert.sequence), alert.customer_id);
  return Status::Ok();
}

}  // namespace rapport::projections
