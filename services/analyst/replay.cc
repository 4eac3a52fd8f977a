#include "services/analyst/replay.h"

#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <limits>
#include <mutex>
#include <thread>
#include <utility>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "events/time_format.h"
#include "events/wire_codec.h"
#include "projections/runtime/batch_applier.h"
#include "storage/journal.h"
#include "storage/journal_merge.h"
#include "storage/offsets.h"
#include "storage/store_memory.h"
#include "services/model/churn_fits.h"
#include "services/platform/projection_registry.h"

namespace rapport::services {
namespace {

using nlohmann::json;
using projections::Family;
using projections::JournalEntry;
using projections::Store;

// Meta keys of a replay output; the runtime's own keys start with "offset/".
constexpr std::string_view kArgumentsKey = "replay/arguments";
constexpr std::string_view kEndsKey = "replay/ends";
constexpr std::string_view kCountersKey = "replay/counters";
constexpr std::string_view kCompleteKey = "replay/complete";
constexpr std::string_view kDeadLetterPrefix = "replay/dead-letter/";
constexpr size_t kListedDeadLetters = 100;

std::string Padded(int64_t value, int width) {
  std::string text = std::to_string(value);
  return std::string(width > static_cast<int>(text.size()) ? width - text.size() : 0, '0') + text;
}

std::string DeadLetterKey(Partition partition, Offset offset) {
  return std::string(kDeadLetterPrefix) + Padded(partition.value(), 10) + "/" + Padded(offset.value(), 20);
}

uint32_t Fnv1a(std::string_view text) {
  uint32_t hash = 2166136261u;
  for (char c : text) hash = (hash ^ static_cast<uint8_t>(c)) * 16777619u;
  return hash;
}

std::string Hex8(uint32_t value) {
  char out[9];
  std::snprintf(out, sizeof out, "%08x", value);
  return out;
}

std::string OffsetsText(const std::map<Partition, Offset>& offsets) {
  std::string out;
  for (const auto& [partition, offset] : offsets) {
    if (!out.empty()) out += ",";
    out += std::to_string(partition.value()) + ":" + std::to_string(offset.value());
  }
  return out;
}

// The request as stored with the output: what a resumed run must match.
json ArgumentsJson(const ReplayRequest& request) {
  json out = json::object();
  out["projection"] = request.projection;
  out["topic"] = request.config.kafka.topics.interactions;
  out["as_known_at"] = request.cut.known_at_ms ? json(events::FormatRfc3339(*request.cut.known_at_ms)) : json();
  out["as_happened_by"] =
      request.cut.happened_by_ms ? json(events::FormatRfc3339(*request.cut.happened_by_ms)) : json();
  out["to_offsets"] = request.cut.to_offsets ? json(OffsetsText(*request.cut.to_offsets)) : json();
  out["settings"] = DomainSettingsText(request.config);
  return out;
}

std::string Shown(const json& value) { return value.is_null() ? "none" : value.is_string() ? value.get<std::string>() : value.dump(); }

// Names every difference between the stored arguments and the request's.
Status CompareArguments(const json& stored, const json& now, const std::filesystem::path& dir) {
  std::vector<std::string> differences;
  const std::pair<const char*, const char*> flags[] = {{"projection", "projection"},
                                                       {"topic", "kafka.topics.interactions"},
                                                       {"as_known_at", "--as-known-at"},
                                                       {"as_happened_by", "--as-happened-by"},
                                                       {"to_offsets", "--to-offsets"}};
  for (const auto& [key, flag] : flags) {
    const json a = stored.value(key, json()), b = now.value(key, json());
    if (a != b) differences.push_back(std::string(flag) + " was " + Shown(a) + ", now " + Shown(b));
  }
  const json a = stored.value("settings", json::object()), b = now.value("settings", json::object());
  for (const auto& [name, value] : a.items()) {
    if (!b.contains(name)) {
      differences.push_back("setting " + name + " was " + Shown(value) + ", now unknown");
    } else if (b[name] != value) {
      differences.push_back("setting " + name + " was " + Shown(value) + ", now " + Shown(b[name]));
    }
  }
  for (const auto& [name, value] : b.items()) {
    if (!a.contains(name)) differences.push_back("setting " + name + " is new (" + Shown(value) + ")");
  }
  if (differences.empty()) return Status::Ok();
  std::string reason = dir.string() + " holds a replay made with other arguments: ";
  for (size_t i = 0; i < differences.size(); ++i) reason += (i ? "; " : "") + differences[i];
  return Status::InvalidArgument("into", reason + " (use another --into, or delete it to start over)");
}

Result<std::optional<json>> ReadJson(const Store& store, std::string_view key) {
  auto stored = store.Get(Family::kMeta, key);
  if (!stored.ok()) return stored.status();
  if (!stored->has_value()) return std::optional<json>();
  json parsed = json::parse(**stored, nullptr, false);
  if (parsed.is_discarded()) return Status::Corruption(std::string(key) + " in " + store.dir().string() + " is not JSON");
  return std::optional<json>(std::move(parsed));
}

struct Counters {
  int64_t read = 0, applied = 0, duplicates = 0, filtered = 0, dead_lettered = 0;
  json ToJson() const {
    return {{"read", read}, {"applied", applied}, {"duplicates", duplicates}, {"filtered", filtered},
            {"dead_lettered", dead_lettered}};
  }
  static Counters From(const json& j) {
    return {j.value("read", int64_t{0}), j.value("applied", int64_t{0}), j.value("duplicates", int64_t{0}),
            j.value("filtered", int64_t{0}), j.value("dead_lettered", int64_t{0})};
  }
};

// A batch of journal entries with their records (views into the entries) and the
// decoded events, made on the reader thread.
struct Chunk {
  std::vector<JournalEntry> entries;
  std::vector<events::Record> records;
  std::vector<Result<events::Event>> decoded;
  // The FoldedBatch a checkpoint after this chunk wrote (half a million dedupe keys):
  // freed with the chunk, on the reader thread.
  projections::FoldedBatch written;
};

// Reader -> folder hand-off, bounded so the reader runs at most a few batches ahead.
class ChunkQueue {
 public:
  explicit ChunkQueue(size_t capacity) : capacity_(capacity) {}
  // False when the consumer cancelled.
  bool Push(std::unique_ptr<Chunk> chunk) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return cancelled_ || chunks_.size() < capacity_; });
    if (cancelled_) return false;
    chunks_.push_back(std::move(chunk));
    changed_.notify_all();
    return true;
  }
  void Close(Status status) {
    std::lock_guard lock(mutex_);
    closed_ = true;
    status_ = std::move(status);
    changed_.notify_all();
  }
  void Cancel() {
    std::lock_guard lock(mutex_);
    cancelled_ = true;
    changed_.notify_all();
  }
  // Null when the reader is done (then status() says how).
  std::unique_ptr<Chunk> Pop() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return closed_ || !chunks_.empty(); });
    if (chunks_.empty()) return nullptr;
    auto chunk = std::move(chunks_.front());
    chunks_.pop_front();
    changed_.notify_all();
    return chunk;
  }
  Status status() {
    std::lock_guard lock(mutex_);
    return status_;
  }
  // Takes every chunk queued, without waiting.
  std::deque<std::unique_ptr<Chunk>> TakeAll() {
    std::lock_guard lock(mutex_);
    std::deque<std::unique_ptr<Chunk>> out;
    out.swap(chunks_);
    changed_.notify_all();
    return out;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::unique_ptr<Chunk>> chunks_;
  size_t capacity_;
  bool closed_ = false, cancelled_ = false;
  Status status_;
};

projections::EventFilter MakeFilter(const ReplayCut& cut) {
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

Result<std::vector<ReplayDeadLetter>> ReadDeadLetters(const Store& store) {
  std::vector<ReplayDeadLetter> out;
  auto it = store.NewIterator(Family::kMeta);
  for (it->Seek(std::string(kDeadLetterPrefix)); it->Valid() && it->key().starts_with(kDeadLetterPrefix) &&
                                                  out.size() < kListedDeadLetters;
       it->Next()) {
    const std::string key = it->key().ToString().substr(kDeadLetterPrefix.size());
    json value = json::parse(it->value().ToString(), nullptr, false);
    if (value.is_discarded() || key.size() != 31) return Status::Corruption("malformed replay dead letter " + key);
    out.push_back({Partition(std::stoi(key.substr(0, 10))), Offset(std::stoll(key.substr(11))),
                   value.value("customer_id", ""), value.value("reason", "")});
  }
  if (!it->status().ok()) return projections::FromRocks(it->status(), "scan replay dead letters");
  return out;
}

// The range of every partition still to read: from the stored next offset to the
// end fixed at the first start.
Result<std::map<Partition, projections::OffsetRange>> RemainingRanges(const Store& store, const json& ends,
                                                                      const std::string& topic) {
  std::map<Partition, projections::OffsetRange> ranges;
  for (const auto& [partition_text, end] : ends.items()) {
    const Partition partition(std::stoi(partition_text));
    auto next = projections::ReadNextOffset(store, {topic, partition});
    if (!next.ok()) return next.status();
    ranges[partition] = {next->value_or(Offset(0)), Offset(end.get<int64_t>())};
  }
  return ranges;
}

}  // namespace

std::map<std::string, std::string> DomainSettingsText(Config config) {
  SettingsBinder binder;
  BindConfig(binder, config);
  std::map<std::string, std::string> out;
  for (auto& [name, value] : binder.Dump()) {
    if (name.starts_with("domain.")) out[name] = value;
  }
  return out;
}

std::filesystem::path DefaultReplayDir(const ReplayRequest& request) {
  auto compact = [](int64_t ms) {
    std::string text = events::FormatRfc3339(ms);
    std::erase(text, ':');
    return text;
  };
  std::string name = request.projection;
  if (request.cut.known_at_ms) name += "-known-at-" + compact(*request.cut.known_at_ms);
  if (request.cut.happened_by_ms) name += "-happened-by-" + compact(*request.cut.happened_by_ms);
  if (request.cut.to_offsets) name += "-to-offsets-" + Hex8(Fnv1a(OffsetsText(*request.cut.to_offsets)));
  if (!request.cut.known_at_ms && !request.cut.happened_by_ms && !request.cut.to_offsets) name += "-full";
  const auto settings = DomainSettingsText(request.config);
  if (settings != DomainSettingsText(Config{})) name += "-settings-" + Hex8(Fnv1a(json(settings).dump()));
  return request.data_dir / "replays" / name;
}

Result<std::optional<std::map<std::string, std::string>>> ReadReplaySettings(const Store& store) {
  auto arguments = ReadJson(store, kArgumentsKey);
  if (!arguments.ok()) return arguments.status();
  if (!arguments->has_value()) return std::optional<std::map<std::string, std::string>>();
  std::map<std::string, std::string> settings;
  const json stored = (**arguments).value("settings", json::object());
  for (const auto& [name, value] : stored.items()) {
    if (!value.is_string()) return Status::Corruption("replay/arguments of " + store.dir().string() + ": setting " + name);
    settings[name] = value.get<std::string>();
  }
  return std::optional<std::map<std::string, std::string>>(std::move(settings));
}

Status CheckProjectionName(const std::string& projection) {
  const auto& names = ProjectionNames();
  if (std::find(names.begin(), names.end(), projection) != names.end()) return Status::Ok();
  std::string known;
  for (const auto& name : names) known += (known.empty() ? "" : ", ") + name;
  return Status::InvalidArgument("projection", "unknown projection \"" + projection + "\" (known: " + known + ")");
}

Result<projections::DomainSettings> SettingsOfStore(const Store& store, const Config& base) {
  auto settings = ReadReplaySettings(store);
  if (!settings.ok()) return settings.status();
  if (!settings->has_value()) return base.domain;
  Config config = base;
  SettingsBinder binder;
  BindConfig(binder, config);
  for (const auto& [name, value] : **settings) {
    // A setting this build no longer knows cannot change how it reads the store.
    if (binder.Has(name)) {
      Status set = binder.Set(name, value);
      if (!set.ok()) return set.WithContext("settings of " + store.dir().string());
    }
  }
  return config.domain;
}

Result<ReplaySummary> RunReplay(const ReplayRequest& request_in, const ReplayControl& control) {
  ReplayRequest request = request_in;
  RAPPORT_RETURN_IF_ERROR(CheckProjectionName(request.projection));
  RAPPORT_RETURN_IF_ERROR(projections::CheckStorageSettings(request.config.storage));
  if (request.batch_events == 0) request.batch_events = 1;
  if (request.into.empty()) request.into = DefaultReplayDir(request);
  const auto journal_dir = request.data_dir / "journal";
  if (!std::filesystem::exists(journal_dir / "CURRENT")) {
    return Status::InvalidArgument("data-dir", "no event journal in " + journal_dir.string());
  }
  std::error_code ec;
  const auto live = std::filesystem::weakly_canonical(request.data_dir, ec);
  if (std::filesystem::weakly_canonical(request.into, ec) == live) {
    return Status::InvalidArgument("into", "is the live data directory " + request.data_dir.string() +
                                               "; a replay writes into a directory of its own");
  }
  std::filesystem::create_directories(request.into, ec);
  if (ec) return Status::InvalidArgument("into", "cannot create " + request.into.string() + ": " + ec.message());

  ReplaySummary summary;
  summary.store_dir = request.into / request.projection;
  summary.custom_settings = DomainSettingsText(request.config) != DomainSettingsText(Config{});
  const std::string& topic = request.config.kafka.topics.interactions;
  const json arguments = ArgumentsJson(request);

  const bool existed = std::filesystem::exists(summary.store_dir / "CURRENT");
  auto opened = Store::Open(summary.store_dir, projections::OpenMode::kReadWrite);
  if (!opened.ok()) return opened.status();
  Store& store = **opened;
  auto stored_arguments = ReadJson(store, kArgumentsKey);
  if (!stored_arguments.ok()) return stored_arguments.status();
  if (stored_arguments->has_value()) {
    RAPPORT_RETURN_IF_ERROR(CompareArguments(**stored_arguments, arguments, summary.store_dir));
    summary.resumed = true;
  } else if (existed) {
    auto any = store.NewIterator(Family::kMeta);
    any->SeekToFirst();
    if (any->Valid()) {
      return Status::InvalidArgument("into", summary.store_dir.string() + " is a store that no replay made");
    }
  }

  // Counters and completion first: a finished replay needs no journal.
  auto stored_counters = ReadJson(store, kCountersKey);
  if (!stored_counters.ok()) return stored_counters.status();
  Counters counters = stored_counters->has_value() ? Counters::From(**stored_counters) : Counters{};
  auto fill_summary = [&]() -> Status {
    summary.read = counters.read;
    summary.applied = counters.applied;
    summary.duplicates = counters.duplicates;
    summary.filtered = counters.filtered;
    summary.dead_lettered = counters.dead_lettered;
    auto dead = ReadDeadLetters(store);
    if (!dead.ok()) return dead.status();
    summary.dead_letters = std::move(dead).value();
    return Status::Ok();
  };
  auto complete = store.Get(Family::kMeta, kCompleteKey);
  if (!complete.ok()) return complete.status();
  if (complete->has_value()) {
    summary.complete = summary.already_complete = true;
    RAPPORT_RETURN_IF_ERROR(fill_summary());
    return summary;
  }

  const auto secondary = request.into / (".journal-secondary-" + std::to_string(::getpid()));
  // Declared before the journal, so it runs after the journal is closed.
  struct RemoveOnExit {
    std::filesystem::path path;
    ~RemoveOnExit() {
      std::error_code ignored;
      std::filesystem::remove_all(path, ignored);
    }
  } remove_secondary{secondary};
  auto journal = projections::Journal::Open(journal_dir, projections::OpenMode::kSecondary, secondary);
  if (!journal.ok()) return journal.status();
  RAPPORT_RETURN_IF_ERROR((*journal)->Refresh());

  // The end of every partition, fixed at the first start: a live journal keeps
  // growing, and a resumed run must stop where one run would have.
  auto stored_ends = ReadJson(store, kEndsKey);
  if (!stored_ends.ok()) return stored_ends.status();
  json ends = json::object();
  if (stored_ends->has_value()) {
    ends = **stored_ends;
  } else {
    auto partitions = (*journal)->Partitions();
    if (!partitions.ok()) return partitions.status();
    std::map<Partition, Offset> journal_ends;
    for (Partition partition : *partitions) {
      auto end = (*journal)->EndOffset(partition);
      if (!end.ok()) return end.status();
      journal_ends[partition] = *end;
    }
    if (request.cut.to_offsets) {
      std::vector<std::string> unnamed;
      for (const auto& [partition, end] : journal_ends) {
        if (!request.cut.to_offsets->contains(partition)) unnamed.push_back(std::to_string(partition.value()));
      }
      for (const auto& [partition, offset] : *request.cut.to_offsets) {
        const Offset have = journal_ends.contains(partition) ? journal_ends[partition] : Offset(0);
        if (offset > have) {
          return Status::InvalidArgument("to-offsets", "partition " + std::to_string(partition.value()) +
                                                           ": the journal holds offsets below " +
                                                           std::to_string(have.value()) + ", asked for " +
                                                           std::to_string(offset.value()));
        }
        ends[std::to_string(partition.value())] = offset.value();
      }
      if (!unnamed.empty()) {
        std::string list;
        for (const auto& p : unnamed) list += (list.empty() ? "" : ",") + p;
        spdlog::warn("--to-offsets names no offset for partition(s) {}: nothing is read from them", list);
      }
    } else {
      for (const auto& [partition, end] : journal_ends) ends[std::to_string(partition.value())] = end.value();
    }
    rocksdb::WriteBatch batch;
    batch.Put(store.handle(Family::kMeta), kArgumentsKey, arguments.dump());
    batch.Put(store.handle(Family::kMeta), kEndsKey, ends.dump());
    RAPPORT_RETURN_IF_ERROR(store.Write(batch));
  }
  int64_t total = 0;
  for (const auto& [partition, end] : ends.items()) total += end.get<int64_t>();

  auto ranges = RemainingRanges(store, ends, topic);
  if (!ranges.ok()) return ranges.status();
  // The live partition count, as the live service passes it (the churn clock waits
  // for every partition's watermark).
  ProjectionDeps deps;
  deps.partitions = request.config.kafka.partitions;
  auto module = ProjectionModuleNamed(request.projection);
  if (!module.ok()) return module.status();
  if ((*module)->uses_model_fits) {
    // The fits the live service applied: a model-driven rule gives the same answers.
    auto fits = KnownChurnFits(request.config, request.data_dir);
    if (!fits.ok()) return fits.status();
    deps.model_fits = [fits = std::move(fits).value()] { return fits; };
  }
  auto projection = MakeProjection(request.projection, store, request.config.domain, deps);
  if (!projection.ok()) return projection.status();
  // Nothing else writes the output: its states can stay in memory from one checkpoint
  // to the next, up to a bound of their own.
  (*projection)->SetStateCacheLimit(static_cast<size_t>(request.config.storage.replay_state_cache_entries));
  projections::BatchApplier applier(store, **projection, MakeFilter(request.cut),
                                    request.bulk_ingest ? projections::WriteMode::kIngest
                                                        : projections::WriteMode::kWriteBatch);
  // The output is this replay's own (never the live directory, see above): no other
  // writer, so the dedupe reads can go through an in-memory filter of its keys.
  RAPPORT_RETURN_IF_ERROR(applier.UseDedupeFilter());

  const auto started = std::chrono::steady_clock::now();
  auto seconds = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(); };
  // Three stages, each on its own thread: the reader scans and merges the journal
  // (`scanned`), the decoder verifies and decodes (`queue`), this thread folds. With
  // scan + decode on one thread that thread took as long as the fold, and each
  // waited on the other in turn; as two, the scheduler fills both cores.
  ChunkQueue scanned(3);
  ChunkQueue queue(3);
  // Folded chunks go back to the reader, which frees them: a chunk is ~5 heap blocks
  // a record (the entry's bytes, the decoded event's strings), work the folding
  // thread, the bottleneck, need not do.
  ChunkQueue spent(std::numeric_limits<size_t>::max());
  std::atomic<bool> reader_stop{false};
  std::atomic<bool> scanned_all{false};  // the reader reached the end of every range
  std::atomic<bool> exhausted{false};    // ... and the decoder passed every chunk on
  std::thread reader([&] {
    projections::JournalMerge merge(**journal, *ranges);
    Status status;
    while (!reader_stop && !(control.stop && *control.stop)) {
      spent.TakeAll();  // freed here
      auto chunk = std::make_unique<Chunk>();
      auto more = merge.Next(request.batch_events, chunk->entries);
      if (!more.ok()) {
        status = more.status();
        break;
      }
      if (!*more) {
        scanned_all = true;
        break;
      }
      chunk->records.reserve(chunk->entries.size());
      for (const JournalEntry& entry : chunk->entries) {
        chunk->records.push_back(events::Record{topic, entry.partition, entry.offset, entry.key, entry.value,
                                                entry.timestamp_ms, entry.value.empty()});
      }
      if (!scanned.Push(std::move(chunk))) break;
    }
    scanned.Close(status);
  });
  std::thread decoder([&] {
    bool passed_all = true;
    while (auto chunk = scanned.Pop()) {
      chunk->decoded.reserve(chunk->records.size());
      for (const events::Record& record : chunk->records) {
        chunk->decoded.push_back(record.filler ? Result<events::Event>(Status::NotFound("filler"))
                                               : events::DecodeWire(record.value));
      }
      if (!queue.Push(std::move(chunk))) {
        passed_all = false;
        scanned.Cancel();  // the reader may wait to push
        break;
      }
    }
    if (passed_all && scanned_all) exhausted = true;
    queue.Close(scanned.status());
  });

  // Records folded since the last checkpoint, with their dead letters (the chunks
  // they came from are gone by then).
  projections::FoldedBatch pending;
  std::vector<std::pair<std::string, std::string>> pending_dead;  // key, note
  size_t pending_records = 0;
  const size_t checkpoint_every = request.bulk_ingest ? std::max(request.ingest_events, request.batch_events)
                                                      : request.batch_events;
  // `free_with`, when given, takes the written batch to the reader thread.
  auto checkpoint = [&](Chunk* free_with) -> Status {
    Status written = applier.Checkpoint(pending, [&](rocksdb::WriteBatch& batch) {
      for (const auto& [key, note] : pending_dead) batch.Put(store.handle(Family::kMeta), key, note);
      batch.Put(store.handle(Family::kMeta), kCountersKey, counters.ToJson().dump());
    });
    projections::FoldedBatch done = std::exchange(pending, {});
    if (free_with != nullptr) free_with->written = std::move(done);
    pending_dead.clear();
    pending_records = 0;
    return written;
  };

  Status result;
  while (auto chunk = queue.Pop()) {
    const size_t rejected_before = pending.rejected.size();
    const int64_t applied_before = pending.applied, duplicates_before = pending.duplicates,
                  filtered_before = pending.filtered;
    result = applier.FoldInto(pending, chunk->records, chunk->decoded);
    if (!result.ok()) break;
    for (size_t i = rejected_before; i < pending.rejected.size(); ++i) {
      const projections::RejectedRecord& rejected = pending.rejected[i];
      const events::Record& record = chunk->records[rejected.index];
      json note = {{"customer_id", std::string(record.key)}, {"reason", rejected.reason.ToString()}};
      pending_dead.emplace_back(DeadLetterKey(record.partition, record.offset), note.dump());
    }
    counters.read += static_cast<int64_t>(chunk->records.size());
    counters.applied += pending.applied - applied_before;
    counters.duplicates += pending.duplicates - duplicates_before;
    counters.filtered += pending.filtered - filtered_before;
    counters.dead_lettered += static_cast<int64_t>(pending.rejected.size() - rejected_before);
    summary.read_this_run += static_cast<int64_t>(chunk->records.size());
    pending_records += chunk->records.size();
    const bool stopping = control.stop && *control.stop;
    if (pending_records >= checkpoint_every || stopping) {
      result = checkpoint(chunk.get());
      if (!result.ok()) break;
    }
    if (control.on_progress) control.on_progress({counters.read, total, summary.read_this_run, seconds()});
    spent.Push(std::move(chunk));
    if (control.stop && *control.stop) {
      if (pending_records > 0) result = checkpoint(nullptr);  // set by on_progress
      break;
    }
  }
  if (result.ok() && pending_records > 0) result = checkpoint(nullptr);
  reader_stop = true;
  queue.Cancel();
  scanned.Cancel();
  decoder.join();
  reader.join();
  RAPPORT_RETURN_IF_ERROR(result);
  RAPPORT_RETURN_IF_ERROR(queue.status());

  // Done unless stopped: the reader reached every end and every batch was folded.
  const bool done = exhausted && queue.Pop() == nullptr;
  if (done) {
    RAPPORT_RETURN_IF_ERROR((*projection)->Finish());
    RAPPORT_RETURN_IF_ERROR(store.Put(Family::kMeta, kCompleteKey, "1"));
    summary.complete = true;
    if (control.on_progress) control.on_progress({total, total, summary.read_this_run, seconds()});
  }
  summary.seconds_this_run = seconds();
  RAPPORT_RETURN_IF_ERROR(fill_summary());
  return summary;
}

}  // namespace rapport::services
