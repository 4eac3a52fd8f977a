#pragma once
// The first two stages of a rebuild (projections/runtime/rebuilder.h), each on a
// thread of its own: the reader scans and merges the journal's ranges into chunks,
// the decoder verifies and decodes every record of a chunk, and the caller (the
// fold, the bottleneck) takes decoded chunks with Next(). With scan and decode on
// one thread that thread took as long as the fold, and each waited on the other in
// turn; as two, the scheduler fills both cores. Queues between the stages are
// bounded, so the reader runs at most a few chunks ahead.
//
// Threading: Next, Recycle and Stop are called by one thread, the fold's.

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string_view>
#include <thread>
#include <vector>

#include "events/event.h"
#include "events/record.h"
#include "events/status.h"
#include "projections/runtime/batch_applier.h"
#include "storage/journal.h"
#include "storage/journal_merge.h"

namespace rapport::projections {

// A batch of journal entries with their records (views into the entries) and the
// decoded events.
struct RebuildChunk {
  std::vector<JournalEntry> entries;
  std::vector<events::Record> records;
  std::vector<Result<events::Event>> decoded;
  // The FoldedBatch a checkpoint after this chunk wrote (half a million dedupe keys):
  // freed with the chunk, on the reader thread.
  FoldedBatch written;
};

// A hand-off between two stages, bounded by `capacity` chunks.
class RebuildChunkQueue {
 public:
  explicit RebuildChunkQueue(size_t capacity) : capacity_(capacity) {}
  // Waits for room; false when the consumer cancelled.
  bool Push(std::unique_ptr<RebuildChunk> chunk);
  // The producer is done; `status` says how.
  void Close(Status status);
  // The consumer is done: Push returns false from now on.
  void Cancel();
  // Waits for a chunk; null when the producer is done (then status() says how).
  std::unique_ptr<RebuildChunk> Pop();
  Status status();
  // Takes every chunk queued, without waiting.
  std::deque<std::unique_ptr<RebuildChunk>> TakeAll();

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::unique_ptr<RebuildChunk>> chunks_;
  size_t capacity_;
  bool closed_ = false, cancelled_ = false;
  Status status_;
};

struct RebuildSource {
  const Journal& journal;
  std::map<Partition, OffsetRange> ranges;  // what is left to read of each partition
  std::string_view topic;                   // of the records (outlives the pipeline)
  size_t batch_events = 20'000;             // records per chunk
  const std::atomic<bool>* stop = nullptr;  // the caller's stop flag: the reader stops early
};

class RebuildPipeline {
 public:
  // Starts the reader and the decoder.
  explicit RebuildPipeline(RebuildSource source);
  ~RebuildPipeline();
  RebuildPipeline(const RebuildPipeline&) = delete;
  RebuildPipeline& operator=(const RebuildPipeline&) = delete;

  // The next decoded chunk, in journal-merge order; null when the reader is done or failed.
  std::unique_ptr<RebuildChunk> Next() { return decoded_.Pop(); }
  // Hands a folded chunk back to the reader, which frees it: a chunk is ~5 heap
  // blocks a record, work the fold thread need not do.
  void Recycle(std::unique_ptr<RebuildChunk> chunk) { spent_.Push(std::move(chunk)); }
  // Stops and joins both threads; the reader's error, if it had one.
  Status Stop();
  // After Stop: the reader reached the end of every range and every chunk was taken.
  bool Exhausted();

 private:
  void Read();
  void Decode();

  RebuildSource source_;
  RebuildChunkQueue scanned_{3};
  RebuildChunkQueue decoded_{3};
  RebuildChunkQueue spent_;
  std::atomic<bool> reader_stop_{false};
  std::atomic<bool> scanned_all_{false};  // the reader reached the end of every range
  std::atomic<bool> exhausted_{false};    // ... and the decoder passed every chunk on
  std::thread reader_;
  std::thread decoder_;
};

}  // namespace rapport::projections
