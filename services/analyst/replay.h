#pragma once
// `rapport replay`: rebuilds one registered projection from the beginning of the
// event journal into a separate store, never touching the live stores or consumer
// groups. The journal is opened as a RocksDB secondary, so a live platform keeps
// writing while a replay reads. This file checks the arguments, names the output and
// makes the projection; the rebuild itself is projections/runtime/rebuilder.h, the
// live runtime's own fold. Rejected records are recorded in the output store
// (meta family, "replay/dead-letter/...") instead of going to the dead-letter topic.
//
// Cuts: "as known at" keeps events with recorded_at <= T (events with no
// recorded_at, published straight to Kafka, count as known when they occurred);
// "as happened by" keeps events with occurred_at <= T; "to offsets" reads only
// offsets below the given ones, of the given partitions only. Partitions are read
// merged in event-time order (storage/journal_merge.h).
//
// Resumable: the next offset of every partition, the counters and the dead letters
// travel in the same WriteBatch (or atomic ingestion) as the state they produced, and the end of every
// partition is fixed at the first start, so a replay stopped at any point (stop
// flag, SIGKILL) and run again with the same request ends equal to one run. A
// request that differs from the one the output was made with is refused, naming
// the difference. Layout: <into>/<projection> is a store like the live one, so
// `rapport serve --data-dir <into>` answers from it. docs/analysts.md.

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "events/status.h"
#include "events/strong_types.h"
#include "projections/runtime/rebuilder.h"
#include "storage/store.h"
#include "services/config/config.h"

namespace rapport::services {

// The cut, the progress, the stop flag and the dead letters are the rebuilder's
// (projections/runtime/rebuilder.h), which runs the replay.
using ReplayCut = projections::RebuildCut;
using ReplayProgress = projections::RebuildProgress;
using ReplayControl = projections::RebuildControl;
using ReplayDeadLetter = projections::RebuildDeadLetter;

struct ReplayRequest {
  std::string projection;
  ReplayCut cut;
  std::filesystem::path data_dir;  // the live platform's directory: <data_dir>/journal is read
  std::filesystem::path into;      // the output directory; the store is <into>/<projection>
  Config config;                   // domain settings (what-if) and topic names
  size_t batch_events = 20'000;    // records per checkpoint (per fold, with bulk_ingest)
  // Checkpoints as sorted SST files ingested into the output (projections/
  // bulk_ingest.h), every `ingest_events` records: the same store, written at a
  // fraction of the cost. The fold's memory grows with ingest_events (the dedupe keys
  // and the states changed since the last checkpoint).
  bool bulk_ingest = true;
  size_t ingest_events = 500'000;
};

struct ReplaySummary {
  std::filesystem::path store_dir;
  bool complete = false;          // false: stopped; run the same request again to continue
  bool resumed = false;           // continued an output made by an earlier run
  bool already_complete = false;  // nothing left to do
  bool custom_settings = false;   // domain settings differ from the defaults
  // Over every run of this replay:
  int64_t read = 0;  // records read from the journal (fillers included)
  int64_t applied = 0;
  int64_t duplicates = 0;
  int64_t filtered = 0;  // left out by the cut
  int64_t dead_lettered = 0;
  std::vector<ReplayDeadLetter> dead_letters;  // the first 100, in partition/offset order
  // This run only:
  int64_t read_this_run = 0;
  double seconds_this_run = 0;
};

// OK when `projection` names a registered projection; else an error listing them.
Status CheckProjectionName(const std::string& projection);

// Runs (or continues) a replay. Errors name the argument at fault ("into",
// "to-offsets", "projection", a setting) or the store that failed.
Result<ReplaySummary> RunReplay(const ReplayRequest& request, const ReplayControl& control = {});

// <data_dir>/replays/<projection>-<cut>[-settings-<hash>]: where a replay goes
// without --into.
std::filesystem::path DefaultReplayDir(const ReplayRequest& request);

// The domain settings a replay output was made with (its "replay/arguments"), or
// nullopt for a store that is not a replay output (a live store).
Result<std::optional<std::map<std::string, std::string>>> ReadReplaySettings(const projections::Store& store);

// The domain settings to read `store` with: a replay output's own, else base's.
Result<projections::DomainSettings> SettingsOfStore(const projections::Store& store, const Config& base);

// "domain.*" settings of `config` by dotted name, as text.
std::map<std::string, std::string> DomainSettingsText(Config config);

}  // namespace rapport::services
