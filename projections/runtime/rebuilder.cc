#include "projections/runtime/rebuilder.h"

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include <spdlog/spdlog.h>

#include "projections/runtime/batch_applier.h"
#include "projections/runtime/rebuild_fold.h"
#include "projections/runtime/rebuild_pipeline.h"
#include "storage/offsets.h"

namespace rapport::projections {
namespace {

using nlohmann::json;

EventFilter MakeFilter(const RebuildCut& cut) {
  if (!cut.known_at_ms && !cut.happened_by_ms) return {};
  return [known = cut.known_at_ms, happened = cut.happened_by_ms](const events::Event& event) {
    if (happened && event.occurred_at_ms > *happened) return false;
    if (known) {
      // No recorded_at (published straight to Kafka): known, at the latest, when it occurred.
      const int64_t recorded = event.recorded_at_ms != 0 ? event.recorded_at_ms : event.occurred_at_ms;
      if (recorded > *known) return false;
    }
    return true;
  };
}

// The ends of the partitions `to_offsets` names, each checked against the journal's.
Result<json> EndsOfCut(const std::map<Partition, Offset>& journal_ends, const std::map<Partition, Offset>& to_offsets) {
  json ends = json::object();
  std::string unnamed;
  for (const auto& [partition, end] : journal_ends) {
    if (!to_offsets.contains(partition)) unnamed += (unnamed.empty() ? "" : ",") + std::to_string(partition.value());
  }
  for (const auto& [partition, offset] : to_offsets) {
    const Offset have = journal_ends.contains(partition) ? journal_ends.at(partition) : Offset(0);
    if (offset > have) {
      return Status::InvalidArgument("to-offsets", "partition " + std::to_string(partition.value()) +
                                                       ": the journal holds offsets below " +
                                                       std::to_string(have.value()) + ", asked for " +
                                                       std::to_string(offset.value()));
    }
    ends[std::to_string(partition.value())] = offset.value();
  }
  if (!unnamed.empty()) {
    spdlog::warn("--to-offsets names no offset for partition(s) {}: nothing is read from them", unnamed);
  }
  return ends;
}

}  // namespace

Result<std::unique_ptr<Rebuilder>> Rebuilder::Open(RebuildOptions options) {
  std::unique_ptr<Rebuilder> rebuilder(new Rebuilder(std::move(options)));
  const bool existed = std::filesystem::exists(rebuilder->options_.store_dir / "CURRENT");
  auto opened = Store::Open(rebuilder->options_.store_dir, OpenMode::kReadWrite);
  if (!opened.ok()) return opened.status();
  rebuilder->store_ = std::move(opened).value();
  auto arguments = ReadMetaJson(*rebuilder->store_, kRebuildArgumentsKey);
  if (!arguments.ok()) return arguments.status();
  rebuilder->arguments_ = std::move(arguments).value();
  if (!rebuilder->arguments_ && existed) {
    auto any = rebuilder->store_->NewIterator(Family::kMeta);
    any->SeekToFirst();
    rebuilder->foreign_ = any->Valid();
    if (rebuilder->foreign_) return rebuilder;
  }
  RAPPORT_RETURN_IF_ERROR(rebuilder->ReadEarlierRuns());
  return rebuilder;
}

Rebuilder::~Rebuilder() {
  journal_.reset();  // before its secondary's files go
  if (!options_.secondary_dir.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(options_.secondary_dir, ignored);
  }
}

// Counters and completion: a finished rebuild needs no journal.
Status Rebuilder::ReadEarlierRuns() {
  auto counters = ReadMetaJson(*store_, kRebuildCountersKey);
  if (!counters.ok()) return counters.status();
  if (counters->has_value()) counters_ = RebuildCounters::From(**counters);
  auto complete = store_->Get(Family::kMeta, kRebuildCompleteKey);
  if (!complete.ok()) return complete.status();
  complete_ = complete->has_value();
  return Status::Ok();
}

Status Rebuilder::Start(const json& arguments) {
  auto journal = Journal::Open(options_.journal_dir, OpenMode::kSecondary, options_.secondary_dir);
  if (!journal.ok()) return journal.status();
  journal_ = std::move(journal).value();
  RAPPORT_RETURN_IF_ERROR(journal_->Refresh());
  // The end of every partition, fixed at the first start: a live journal keeps
  // growing, and a resumed run must stop where one run would have.
  auto stored_ends = ReadMetaJson(*store_, kRebuildEndsKey);
  if (!stored_ends.ok()) return stored_ends.status();
  if (stored_ends->has_value()) {
    ends_ = **stored_ends;
  } else {
    auto ends = EndsFromJournal();
    if (!ends.ok()) return ends.status();
    ends_ = std::move(ends).value();
    rocksdb::WriteBatch batch;
    batch.Put(store_->handle(Family::kMeta), kRebuildArgumentsKey, arguments.dump());
    batch.Put(store_->handle(Family::kMeta), kRebuildEndsKey, ends_.dump());
    RAPPORT_RETURN_IF_ERROR(store_->Write(batch));
  }
  total_ = 0;
  for (const auto& [partition, end] : ends_.items()) total_ += end.get<int64_t>();
  return Status::Ok();
}

Result<json> Rebuilder::EndsFromJournal() const {
  auto partitions = journal_->Partitions();
  if (!partitions.ok()) return partitions.status();
  std::map<Partition, Offset> journal_ends;
  for (Partition partition : *partitions) {
    auto end = journal_->EndOffset(partition);
    if (!end.ok()) return end.status();
    journal_ends[partition] = *end;
  }
  if (options_.cut.to_offsets) return EndsOfCut(journal_ends, *options_.cut.to_offsets);
  json ends = json::object();
  for (const auto& [partition, end] : journal_ends) ends[std::to_string(partition.value())] = end.value();
  return ends;
}

// The range of every partition still to read: from the stored next offset to the
// end fixed at the first start.
Result<std::map<Partition, OffsetRange>> Rebuilder::RemainingRanges() const {
  std::map<Partition, OffsetRange> ranges;
  for (const auto& [partition_text, end] : ends_.items()) {
    const Partition partition(std::stoi(partition_text));
    auto next = ReadNextOffset(*store_, {options_.topic, partition});
    if (!next.ok()) return next.status();
    ranges[partition] = {next->value_or(Offset(0)), Offset(end.get<int64_t>())};
  }
  return ranges;
}

Result<RebuildRun> Rebuilder::Run(Projection& projection, const RebuildControl& control) {
  auto ranges = RemainingRanges();
  if (!ranges.ok()) return ranges.status();
  projection.SetStateCacheLimit(options_.state_cache_entries);
  BatchApplier applier(*store_, projection, MakeFilter(options_.cut),
                       options_.bulk_ingest ? WriteMode::kIngest : WriteMode::kWriteBatch);
  // The output is this rebuild's own: no other writer, so the dedupe reads can go
  // through an in-memory filter of its keys.
  RAPPORT_RETURN_IF_ERROR(applier.UseDedupeFilter());

  const auto started = std::chrono::steady_clock::now();
  auto seconds = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(); };
  RebuildRun run;
  RebuildPipeline pipeline({*journal_, std::move(ranges).value(), options_.topic, options_.batch_events, control.stop});
  const size_t checkpoint_every =
      options_.bulk_ingest ? std::max(options_.ingest_events, options_.batch_events) : options_.batch_events;
  RebuildFold fold(*store_, applier, counters_, checkpoint_every);
  Status result;
  while (auto chunk = pipeline.Next()) {
    result = fold.Fold(*chunk);
    if (!result.ok()) break;
    run.read_this_run += static_cast<int64_t>(chunk->records.size());
    if (fold.Due() || (control.stop && *control.stop)) {
      result = fold.Checkpoint(chunk.get());
      if (!result.ok()) break;
    }
    if (control.on_progress) control.on_progress({counters_.read, total_, run.read_this_run, seconds()});
    pipeline.Recycle(std::move(chunk));
    if (control.stop && *control.stop) break;  // set by on_progress: checkpointed below
  }
  if (result.ok() && fold.Pending()) result = fold.Checkpoint(nullptr);
  Status read = pipeline.Stop();
  RAPPORT_RETURN_IF_ERROR(result);
  RAPPORT_RETURN_IF_ERROR(read);

  // Done unless stopped: the reader reached every end and every batch was folded.
  if (pipeline.Exhausted()) {
    RAPPORT_RETURN_IF_ERROR(projection.Finish());
    RAPPORT_RETURN_IF_ERROR(store_->Put(Family::kMeta, kRebuildCompleteKey, "1"));
    run.complete = complete_ = true;
    if (control.on_progress) control.on_progress({total_, total_, run.read_this_run, seconds()});
  }
  run.seconds_this_run = seconds();
  return run;
}

}  // namespace rapport::projections
