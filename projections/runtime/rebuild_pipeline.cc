#include "projections/runtime/rebuild_pipeline.h"

#include <limits>
#include <utility>

#include "events/wire_codec.h"

namespace rapport::projections {

bool RebuildChunkQueue::Push(std::unique_ptr<RebuildChunk> chunk) {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return cancelled_ || chunks_.size() < capacity_; });
  if (cancelled_) return false;
  chunks_.push_back(std::move(chunk));
  changed_.notify_all();
  return true;
}

void RebuildChunkQueue::Close(Status status) {
  std::lock_guard lock(mutex_);
  closed_ = true;
  status_ = std::move(status);
  changed_.notify_all();
}

void RebuildChunkQueue::Cancel() {
  std::lock_guard lock(mutex_);
  cancelled_ = true;
  changed_.notify_all();
}

std::unique_ptr<RebuildChunk> RebuildChunkQueue::Pop() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return closed_ || !chunks_.empty(); });
  if (chunks_.empty()) return nullptr;
  auto chunk = std::move(chunks_.front());
  chunks_.pop_front();
  changed_.notify_all();
  return chunk;
}

Status RebuildChunkQueue::status() {
  std::lock_guard lock(mutex_);
  return status_;
}

std::deque<std::unique_ptr<RebuildChunk>> RebuildChunkQueue::TakeAll() {
  std::lock_guard lock(mutex_);
  std::deque<std::unique_ptr<RebuildChunk>> out;
  out.swap(chunks_);
  changed_.notify_all();
  return out;
}

RebuildPipeline::RebuildPipeline(RebuildSource source)
    : source_(std::move(source)), spent_(std::numeric_limits<size_t>::max()) {
  reader_ = std::thread([this] { Read(); });
  decoder_ = std::thread([this] { Decode(); });
}

RebuildPipeline::~RebuildPipeline() {
  if (reader_.joinable() || decoder_.joinable()) (void)Stop();
}

void RebuildPipeline::Read() {
  JournalMerge merge(source_.journal, source_.ranges);
  Status status;
  while (!reader_stop_ && !(source_.stop && *source_.stop)) {
    spent_.TakeAll();  // freed here
    auto chunk = std::make_unique<RebuildChunk>();
    auto more = merge.Next(source_.batch_events, chunk->entries);
    if (!more.ok()) {
      status = more.status();
      break;
    }
    if (!*more) {
      scanned_all_ = true;
      break;
    }
    chunk->records.reserve(chunk->entries.size());
    for (const JournalEntry& entry : chunk->entries) {
      chunk->records.push_back(events::Record{source_.topic, entry.partition, entry.offset, entry.key, entry.value,
                                              entry.timestamp_ms, entry.value.empty()});
    }
    if (!scanned_.Push(std::move(chunk))) break;
  }
  scanned_.Close(status);
}

void RebuildPipeline::Decode() {
  bool passed_all = true;
  while (auto chunk = scanned_.Pop()) {
    chunk->decoded.reserve(chunk->records.size());
    for (const events::Record& record : chunk->records) {
      chunk->decoded.push_back(record.filler ? Result<events::Event>(Status::NotFound("filler"))
                                             : events::DecodeWire(record.value));
    }
    if (!decoded_.Push(std::move(chunk))) {
      passed_all = false;
      scanned_.Cancel();  // the reader may wait to push
      break;
    }
  }
  if (passed_all && scanned_all_) exhausted_ = true;
  decoded_.Close(scanned_.status());
}

Status RebuildPipeline::Stop() {
  reader_stop_ = true;
  decoded_.Cancel();
  scanned_.Cancel();
  if (decoder_.joinable()) decoder_.join();
  if (reader_.joinable()) reader_.join();
  return decoded_.status();
}

bool RebuildPipeline::Exhausted() { return exhausted_ && decoded_.Pop() == nullptr; }

}  // namespace rapport::projections
