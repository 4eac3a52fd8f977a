#include "services/ingest/durable_topics.h"

#include <spdlog/spdlog.h>

#include "services/ingest/topic_restore.h"
#include "services/process/thread_name.h"
#include "services/process/thread_priority.h"

namespace rapport::services {

std::filesystem::path TopicLogDir(const std::filesystem::path& data_dir) { return data_dir / "topics"; }

Result<std::unique_ptr<DurableTopics>> DurableTopics::Start(const std::filesystem::path& data_dir,
                                                            const events::KafkaSettings& kafka,
                                                            int background_nice) {
  std::unique_ptr<DurableTopics> durable(new DurableTopics());
  // What the restore publishes is in the log already: a publisher of its own, one
  // that does not spool.
  events::KafkaSettings plain = kafka;
  plain.topic_spool_dir.clear();
  auto restorer = events::Publisher::Create(plain, "rapport-topic-restore");
  if (!restorer.ok()) return restorer.status();
  events::Publisher& publisher = **restorer;
  auto log = projections::TopicLog::Open(TopicLogDir(data_dir), projections::OpenMode::kReadWrite);
  if (!log.ok()) return log.status();
  durable->log_ = std::move(log).value();
  const auto topics = events::ArchivedTopics(kafka.topics);
  auto restored = RestoreTopics(*durable->log_, publisher, topics);
  if (!restored.ok()) return restored.status();
  durable->restored_ = *restored;
  if (!kafka.topic_spool_dir.empty()) {
    auto republished = RepublishSpooled(*durable->log_, events::TopicSpool(kafka.topic_spool_dir), publisher);
    if (!republished.ok()) return republished.status();
    durable->restored_ += *republished;
  }
  auto archiver = TopicArchiver::Create(kafka, topics, *durable->log_);
  if (!archiver.ok()) return archiver.status();
  durable->archiver_ = std::move(archiver).value();
  durable->thread_ = std::thread([a = durable->archiver_.get(), background_nice] {
    NameThisThread("topic-archiver");
    SetThisThreadNice(background_nice);
    Status result = a->Run();
    if (!result.ok()) spdlog::error("topic archive stopped: {}", result.ToString());
  });
  return durable;
}

void DurableTopics::Stop() {
  if (archiver_) archiver_->Stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace rapport::services
