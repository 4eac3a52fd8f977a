#include "services/alerts/alert_outbox.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <vector>

#include "projections/churn/churn_alert.h"
#include "projections/churn/churn_projection.h"
#include "services/alerts/alert_identity.h"
#include "services/process/thread_name.h"

namespace rapport::services {

AlertOutbox::AlertOutbox(projections::Store& store, events::Publisher& publisher, std::string topic,
                         int batch, std::optional<TopicReader> reader)
    : store_(store),
      publisher_(publisher),
      topic_(std::move(topic)),
      batch_(std::max(1, batch)),
      reader_(std::move(reader)) {}

Status AlertOutbox::ReadTopicOnce() {
  if (topic_read_ || !reader_) return Status::Ok();
  auto it = store_.NewIterator(projections::Family::kIndex);
  const std::string_view prefix = projections::kOutboxPrefix;
  it->Seek(std::string(prefix));
  if (!it->status().ok()) return projections::FromRocks(it->status(), "read the alert outbox");
  if (!it->Valid() || it->key().ToString().compare(0, prefix.size(), prefix) != 0) {
    topic_read_ = true;  // nothing waits: nothing can be on the topic already
    return Status::Ok();
  }
  const std::string first = it->key().ToString().substr(prefix.size());
  auto bytes = store_.Get(projections::Family::kIndex, std::string(projections::kAlertLogPrefix) + first);
  if (!bytes.ok()) return bytes.status();
  if (!bytes->has_value()) return Status::Corruption("outbox entry " + first + " has no alert log entry");
  auto oldest = projections::DecodeAlertWire(**bytes);
  if (!oldest.ok()) return oldest.status();
  events::TopicReadOptions options;
  options.client_id = "rapport-alert-outbox";
  options.history = reader_->history;
  std::set<std::string> found;
  RAPPORT_RETURN_IF_ERROR(events::ReadTopicToEnd(reader_->kafka, topic_, options, [&](events::TopicRecord&& record) {
    auto alert = projections::DecodeAlertWire(record.value.value_or(""));
    if (alert.ok() && alert->sequence >= oldest->sequence) found.insert(AlertIdentity(*alert));
    return Status::Ok();
  }));
  on_topic_ = std::move(found);
  topic_read_ = true;
  if (!on_topic_.empty()) spdlog::info("alert outbox: {} alert(s) of the topic may be waiting in the outbox too", on_topic_.size());
  return Status::Ok();
}

Status AlertOutbox::DrainOnce(int* published) {
  *published = 0;
  RAPPORT_RETURN_IF_ERROR(ReadTopicOnce());
  std::vector<events::OutgoingMessage> messages;
  std::vector<std::string> keys;
  std::vector<std::string> delivered_before;  // entries whose alert was on the topic at start
  std::string last;                           // the last entry this drain went through
  auto it = store_.NewIterator(projections::Family::kIndex);
  const std::string_view prefix = projections::kOutboxPrefix;
  // From the cursor, not the prefix: every delivered entry is a tombstone until a
  // compaction drops it, and a seek from the prefix stepped over all of them on every
  // drain (CPU use growing with the alerts ever sent, even with nothing to send).
  for (it->Seek(resume_from_.empty() ? std::string(prefix) : resume_from_); it->Valid() && static_cast<int>(messages.size()) < batch_; it->Next()) {
    const std::string key = it->key().ToString();
    if (key.compare(0, prefix.size(), prefix) != 0) break;
    last = key;
    const std::string sequence = key.substr(prefix.size());
    auto bytes =
        store_.Get(projections::Family::kIndex, std::string(projections::kAlertLogPrefix) + sequence);
    if (!bytes.ok()) return bytes.status();
    if (!bytes->has_value()) return Status::Corruption("outbox entry " + key + " has no alert log entry");
    auto alert = projections::DecodeAlertWire(**bytes);
    if (!alert.ok()) return alert.status().WithContext(key);
    if (!on_topic_.empty() && on_topic_.erase(AlertIdentity(*alert)) > 0) {
      delivered_before.push_back(key);  // acknowledged before a kill came ahead of the delete
      continue;
    }
    events::OutgoingMessage message;
    message.topic = topic_;
    message.key = alert->customer_id;
    message.value = std::move(**bytes);
    message.timestamp_ms = alert->at_ms;
    message.headers = {
        {"rapport-alert-kind", alert->kind == projections::AlertKind::kRaised ? "raised" : "cleared"},
        {"rapport-schema-version", "1"}};
    messages.push_back(std::move(message));
    keys.push_back(key);
  }
  if (!it->status().ok()) return projections::FromRocks(it->status(), "read the alert outbox");
  if (messages.empty() && delivered_before.empty()) return Status::Ok();
  std::vector<events::Delivery> deliveries;
  Status sent = publisher_.PublishAndWait(messages, &deliveries);
  // Every acknowledged entry goes, even when others of the batch failed: a retry
  // of the whole batch would repeat them on the topic.
  rocksdb::WriteBatch batch;
  for (const std::string& key : delivered_before) batch.Delete(store_.handle(projections::Family::kIndex), key);
  for (size_t i = 0; i < keys.size(); ++i) {
    if (deliveries[i].offset.value() >= 0) batch.Delete(store_.handle(projections::Family::kIndex), keys[i]);
  }
  RAPPORT_RETURN_IF_ERROR(store_.Write(batch));
  RAPPORT_RETURN_IF_ERROR(sent);
  // Sequences only grow (the projection persists the next one), so nothing is ever
  // added below the last entry sent: the next drain starts just after it.
  resume_from_ = last + '\0';
  *published = static_cast<int>(messages.size());
  return Status::Ok();
}

void AlertOutbox::Start() {
  thread_ = std::thread([this] {
    NameThisThread("alert-outbox");
    auto backoff = std::chrono::milliseconds(100);
    while (!stopping_) {
      int published = 0;
      Status status = DrainOnce(&published);
      if (!status.ok()) {
        spdlog::warn("alert outbox: {} (retrying)", status.ToString());
        std::this_thread::sleep_for(backoff);
        backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
        continue;
      }
      backoff = std::chrono::milliseconds(100);
      if (published == 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });
}

void AlertOutbox::Stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
}

}  // namespace rapport::services
