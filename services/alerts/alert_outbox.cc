#include "services/alerts/alert_outbox.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <vector>

#include "projections/churn/churn_alert.h"
#include "projections/churn/churn_projection.h"
#include "services/process/thread_name.h"

namespace rapport::services {

AlertOutbox::AlertOutbox(projections::Store& store, events::Publisher& publisher, std::string topic,
                         int batch)
    : store_(store), publisher_(publisher), topic_(std::move(topic)), batch_(std::max(1, batch)) {}

Status AlertOutbox::DrainOnce(int* published) {
  *published = 0;
  std::vector<events::OutgoingMessage> messages;
  std::vector<std::string> keys;
  auto it = store_.NewIterator(projections::Family::kIndex);
  const std::string_view prefix = projections::kOutboxPrefix;
  // From the cursor, not the prefix: every delivered entry is a tombstone until a
  // compaction drops it, and a seek from the prefix stepped over all of them on every
  // drain (CPU use growing with the alerts ever sent, even with nothing to send).
  for (it->Seek(resume_from_.empty() ? std::string(prefix) : resume_from_); it->Valid() && static_cast<int>(messages.size()) < batch_; it->Next()) {
    const std::string key = it->key().ToString();
    if (key.compare(0, prefix.size(), prefix) != 0) break;
    const std::string sequence = key.substr(prefix.size());
    auto bytes =
        store_.Get(projections::Family::kIndex, std::string(projections::kAlertLogPrefix) + sequence);
    if (!bytes.ok()) return bytes.status();
    if (!bytes->has_value()) return Status::Corruption("outbox entry " + key + " has no alert log entry");
    auto alert = projections::DecodeAlertWire(**bytes);
    if (!alert.ok()) return alert.status().WithContext(key);
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
  if (messages.empty()) return Status::Ok();
  RAPPORT_RETURN_IF_ERROR(publisher_.PublishAndWait(messages));
  rocksdb::WriteBatch batch;
  for (const std::string& key : keys) batch.Delete(store_.handle(projections::Family::kIndex), key);
  RAPPORT_RETURN_IF_ERROR(store_.Write(batch));
  // Sequences only grow (the projection persists the next one), so nothing is ever
  // added below the last entry sent: the next drain starts just after it.
  resume_from_ = keys.back() + '\0';
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
