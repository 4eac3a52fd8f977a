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

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "events/consumer.h"
#include "events/kafka_settings.h"
#include "storage/journal.h"

namespace rapport::services {

// Set by a publisher that journals the message itself (the embedded-mode gateway).
inline constexpr std::string_view kHeaderJournaled = "rapport-journaled";
// The value of kHeaderJournaled this process writes and trusts: random per process.
const std::string& ProcessJournaledMark();

class Archiver final : private events::RebalanceListener {
 public:
  static Result<std::unique_ptr<Archiver>> Create(const events::KafkaSettings& kafka, projections::Journal& journal,
                                                  bool skip_journaled = false);

  Status Run();
  void Stop() { stopping_ = true; }
  bool ready() const { return ready_; }
  int64_t archived() const { return archived_; }

 private:
  explicit Archiver(projections::Journal& journal) : journal_(journal) {}
  std::vector<std::optional<Offset>> OnAssigned(const std::vector<events::TopicPartition>& partitions) override;
  void OnRevoked(const std::vector<events::TopicPartition>& partitions) override;
  // The topic no longer holds the archiver's next offset of `tp`: fine when the
  // journal already reaches the topic's start (the gateway wrote it); seeks there.
  Status SkipJournaledGap(const events::TopicPartition& tp);

  projections::Journal& journal_;
  bool skip_journaled_ = false;
  std::unique_ptr<events::Consumer> consumer_;
  std::map<events::TopicPartition, bool> assigned_;  // -> reached the end once
  std::atomic<bool> stopping_{false};
  std::atomic<bool> ready_{false};
  std::atomic<int64_t> archived_{0};
};

}  // namespace rapport::services
