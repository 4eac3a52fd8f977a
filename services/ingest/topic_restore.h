#pragma once
// Brings a fresh embedded broker's topics back from the topic log
// (storage/topic_log.h), as journal_restore.h does for the interactions: topic by
// topic, partition by partition in offset order, with each record's key, value,
// timestamp and headers.
//   - A topic kept whole (alerts, dead letters) gets every record at the offset it
//     had, holes (records lost before they were archived) and the tail up to the
//     archiver's progress padded with fillers, so ids such as a dead letter's
//     "<partition>:<offset>" keep naming the same record.
//   - A compacted topic gets what compaction left (the latest value per key), in
//     order, numbered anew; the log is rewritten to the new numbering.
// Afterwards the archiver's progress of every partition is the broker's end.

#include <cstdint>
#include <vector>

#include "events/kafka_settings.h"
#include "events/publisher.h"
#include "events/status.h"
#include "events/topic_spool.h"
#include "storage/topic_log.h"

namespace rapport::services {

// Returns the number of records re-published (fillers not counted). Fails if a
// topic was not empty (its offsets would then differ from the log's).
Result<int64_t> RestoreTopics(projections::TopicLog& log, events::Publisher& publisher,
                              const std::vector<events::ArchivedTopic>& topics);

// After RestoreTopics: what rapport's writers spooled (events/topic_spool.h) and the
// archiver did not log before the process ended. A file whose record the log holds
// (a crash between the log's write and the file's removal) is removed; the others
// are published again after the restored records, in write order, with their spool
// ids, so the archiver logs them and removes their files. Returns how many were
// published. `publisher` must not spool (its settings have no topic_spool_dir).
Result<int64_t> RepublishSpooled(projections::TopicLog& log, const events::TopicSpool& spool,
                                 events::Publisher& publisher);

}  // namespace rapport::services
