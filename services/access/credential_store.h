#pragma once
// The credentials every serving process accepts: an in-memory table that follows
// the compacted topic `rapport.credentials` (credential.h). Start reads the topic
// to its end (in embedded mode its durable copy first, storage/topic_log.h), then a
// thread keeps reading new records, so a credential created or revoked by any
// process takes effect here within about a second. Records that are unsigned or
// whose signature does not match the cluster secret (KafkaSettings::record_secret)
// are logged and not applied; a tombstone revokes its key (removing access never
// needs the secret, granting it does).
//
// The records in force are also kept in a local file (`<data-dir>/credentials.cache`,
// mode 0600, re-verified when read), so a process that starts while Kafka is away
// still accepts the tokens it knew (the outbox keeps taking events); it follows
// the topic once Kafka answers.
//
// Without Kafka (no brokers) the table stays empty and every token is refused.
// Lifecycle: Start, then any thread may ask; Stop (or destroy) joins the thread.

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "events/kafka_settings.h"
#include "events/status.h"
#include "events/topic_reader.h"
#include "services/access/credential.h"
#include "services/process/stop_signal.h"

namespace rapport::services {

// Who is calling, when the token is known and not revoked; else why not.
struct Authentication {
  std::optional<Credential> caller;
  std::string reason;  // set when caller is empty: "no bearer token", "unknown token", ...
};

class CredentialStore {
 public:
  // `durable_copy` (embedded mode, may be null) must outlive the store. When the
  // first read does not reach the topic's end within `first_read` the error is
  // logged and the thread keeps trying (until then tokens are refused: fail closed).
  // `cache_file` empty: no local copy.
  static Result<std::unique_ptr<CredentialStore>> Start(const events::KafkaSettings& kafka,
                                                        const events::TopicHistory* durable_copy,
                                                        std::filesystem::path cache_file);
  // A table no topic feeds (no Kafka): refuses every token; tests Apply to it.
  static std::unique_ptr<CredentialStore> Detached(std::string record_secret);
  ~CredentialStore() { Stop(); }
  CredentialStore(const CredentialStore&) = delete;
  CredentialStore& operator=(const CredentialStore&) = delete;

  // The caller of an "Authorization" header value ("Bearer <token>").
  Authentication Authenticate(std::string_view authorization) const;
  // Every credential read so far (revoked ones included), by name.
  std::vector<Credential> List() const;
  // Whether any valid record (even a revocation) was ever read: the topic is in use.
  bool ever_held_any() const { return valid_records_.load() > 0; }
  // Waits until a live credential named `name` with `token_hash` is in the table.
  bool WaitUntilKnown(const std::string& name, const std::string& token_hash,
                      std::chrono::milliseconds timeout) const;

  // Applies one record of the topic (the follow thread; tests). Records at or
  // below an offset already applied in their partition are skipped.
  void Apply(const events::TopicRecord& record);
  void Stop();

 private:
  CredentialStore(events::KafkaSettings kafka, const events::TopicHistory* durable_copy)
      : kafka_(std::move(kafka)), durable_copy_(durable_copy) {}
  void Follow();
  // The local copy: read at start (before the topic), written when the table changes.
  bool LoadCache();
  void SaveCache() const;
  // Apply without the cache: whether the table changed.
  bool ApplyRecord(const events::TopicRecord& record);

  events::KafkaSettings kafka_;
  const events::TopicHistory* durable_copy_;
  mutable std::shared_mutex mutex_;
  mutable std::condition_variable_any changed_;
  std::map<std::string, Credential> by_name_;           // guarded by mutex_
  std::map<std::string, events::TopicRecord> records_;  // the record of each name in force; guarded by mutex_
  std::filesystem::path cache_file_;
  std::map<int32_t, int64_t> applied_;  // partition -> last offset applied; guarded by mutex_
  std::atomic<int64_t> valid_records_{0};
  StopSignal stop_;
  std::thread thread_;
};

}  // namespace rapport::services
