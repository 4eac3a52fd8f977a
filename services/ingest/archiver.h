#pragma once
// With a real Kafka cluster, the archive consumer writes the event journal from
// the interactions topic (in embedded mode the gateway writes it directly). It
// keeps every message as published, poison ones included, so the journal's
// offsets match the topic's one for one. Consumer group "rapport.archive".
//
// In embedded mode the archiver journals what other clients publish (kcat, Java);
// messages the gateway publishes carry kHeaderJournaled and are skipped: the
// gateway journals them itself before its 202, and writing them twice made the
// archiver's big batches hold the journal's write queue the gateway's synced
// appends wait in. Only an archiver created with skip_journaled trusts the header,
// and only with this process's own mark as its value: another client's message is
// journaled whatever headers it carries.
//
// Lifecycle: Create, Run on one thread, Stop from any thread.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "events/kafka_settings.h"
#include "services/ingest/archive_consumer.h"
#include "storage/journal.h"
#include "storage/offsets.h"

namespace rapport::services {

// Set by a publisher that journals the message itself (the embedded-mode gateway).
inline constexpr std::string_view kHeaderJournaled = "rapport-journaled";
// The value of kHeaderJournaled this process writes and trusts: random per process.
const std::string& ProcessJournaledMark();

class Archiver final : public ArchiveConsumer {
 public:
  static Result<std::unique_ptr<Archiver>> Create(const events::KafkaSettings& kafka, projections::Journal& journal,
                                                  bool skip_journaled = false);

 private:
  explicit Archiver(projections::Journal& journal, bool skip_journaled)
      : ArchiveConsumer({.name = "archive",
                         .commit_offsets = true,
                         .stored_progress = [journal = &journal](const events::TopicPartition& tp) {
                           return projections::ReadNextOffset(journal->store(), tp);
                         }}),
        journal_(journal),
        skip_journaled_(skip_journaled) {}
  // Offset out of range: see SkipJournaledGap; other errors are logged and passed over.
  Status OnMessageError(const events::ConsumedMessage& message, const events::TopicPartition& tp) override;
  void Keep(events::ConsumedMessage& message) override;
  Result<int64_t> WriteBatch(const std::vector<events::PartitionOffset>& progress) override;
  // The topic no longer holds the archiver's next offset of `tp`: fine when the
  // journal already reaches the topic's start (the gateway wrote it); seeks there.
  Status SkipJournaledGap(const events::TopicPartition& tp);

  projections::Journal& journal_;
  const bool skip_journaled_;
  std::vector<projections::JournalEntry> entries_;  // the batch being built
};

}  // namespace rapport::services
