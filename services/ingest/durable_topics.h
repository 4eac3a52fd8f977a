#pragma once
// Embedded mode only: every topic rapport writes besides the interactions
// (events::ArchivedTopics) made durable, in one place. Start opens the topic log
// (`<data-dir>/topics`, storage/topic_log.h), restores it into the fresh embedded
// broker (topic_restore.h), publishes again what rapport's writers spooled and the
// log does not hold (events/topic_spool.h: a SIGKILL came too soon), then runs the
// topic archiver (topic_archiver.h) on a thread of its own. With a real cluster (--brokers) none of this runs: the
// topics are the durable copy.
//
// Lifecycle: Start before anything publishes to those topics, Stop (or destroy)
// before the broker goes.

#include <filesystem>
#include <memory>
#include <thread>

#include "events/kafka_settings.h"
#include "events/publisher.h"
#include "events/status.h"
#include "services/ingest/topic_archiver.h"
#include "storage/topic_log.h"

namespace rapport::services {

class DurableTopics {
 public:
  static Result<std::unique_ptr<DurableTopics>> Start(const std::filesystem::path& data_dir,
                                                      const events::KafkaSettings& kafka, int background_nice);
  ~DurableTopics() { Stop(); }
  DurableTopics(const DurableTopics&) = delete;
  DurableTopics& operator=(const DurableTopics&) = delete;

  void Stop();
  // The durable copy, for rapport's own topic readers (events/topic_reader.h).
  const projections::TopicLog& log() const { return *log_; }
  int64_t restored() const { return restored_; }
  bool ready() const { return archiver_ && archiver_->ready(); }

 private:
  DurableTopics() = default;

  std::unique_ptr<projections::TopicLog> log_;
  std::unique_ptr<TopicArchiver> archiver_;
  std::thread thread_;
  int64_t restored_ = 0;
};

// `<data-dir>/topics`.
std::filesystem::path TopicLogDir(const std::filesystem::path& data_dir);

}  // namespace rapport::services
