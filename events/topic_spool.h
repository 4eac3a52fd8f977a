#pragma once
// Embedded mode's write-ahead for the topics the topic log keeps
// (events::ArchivedTopics, storage/topic_log.h). The embedded broker holds topics in
// memory and the topic archiver copies them to the log a few tens of milliseconds
// later; a SIGKILL in between would lose what was just produced. So every rapport
// writer (any process: `rapport up`, `rapport model fit`, `rapport dlq replay`, ...)
// puts each such message in a file of its own under `<data-dir>/topic-spool` before
// producing it, with a header (kHeaderSpoolId) naming the file. The archiver
// removes the file once the record is in the log (and marks the id there in the
// same write, so a crash between the two is told apart); at start, `rapport up`
// republishes what the log does not hold (services/ingest/durable_topics.h).
//
// A file is written under a temporary name and renamed, so a kill mid-write leaves
// no half file under a spool name. Files are not fsynced: the guarantee is against
// a killed process, like the stores' write-ahead logs, not against power loss.
// Names sort in write order (milliseconds, then process and counter).
//
// Thread-safe. With a real cluster no spool exists: the topics are the durable copy.

#include <atomic>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "events/publisher.h"
#include "events/status.h"

namespace rapport::events {

inline constexpr std::string_view kHeaderSpoolId = "rapport-spool-id";

// One spooled message and its id (its file's name).
struct SpooledMessage {
  std::string id;
  OutgoingMessage message;  // carries the kHeaderSpoolId header
};

class TopicSpool {
 public:
  explicit TopicSpool(std::filesystem::path dir) : dir_(std::move(dir)) {}

  // Gives `message` a new spool id (header kHeaderSpoolId) and writes it to its
  // file; returns the id. Unavailable when the file cannot be written.
  Result<std::string> Write(OutgoingMessage& message);
  // Removes the file of `id`; a missing file is fine. False when it stays.
  bool Remove(const std::string& id) const;
  // Every spooled message, in write order; leftovers of interrupted writes are
  // removed. Corruption names a file that cannot be decoded.
  Result<std::vector<SpooledMessage>> ReadAll() const;

  const std::filesystem::path& dir() const { return dir_; }

 private:
  std::string NextId();

  std::filesystem::path dir_;
  std::atomic<uint64_t> counter_{0};
  std::atomic<bool> created_{false};
};

// `<data-dir>/topic-spool`.
std::filesystem::path TopicSpoolDir(const std::filesystem::path& data_dir);

}  // namespace rapport::events
