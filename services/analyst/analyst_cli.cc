#include "services/analyst/analyst_cli.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <thread>

#include <spdlog/spdlog.h>

#include "events/time_format.h"
#include "storage/journal.h"
#include "services/analyst/analyst_args.h"
#include "services/config/config.h"
#include "services/analyst/history_export.h"
#include "services/analyst/progress_bar.h"
#include "services/platform/projection_registry.h"
#include "services/analyst/replay.h"
#include "services/analyst/store_diff.h"

namespace rapport::services {
namespace {

void AddCommon(CLI::App& command, std::string& config_file, std::string& data_dir, std::string& log_level) {
  command.add_option("--config", config_file, "YAML config file (domain settings: what-if)")->envname("RAPPORT_CONFIG");
  command.add_option("--data-dir", data_dir, "the live platform's data directory (default: data)")
      ->envname("RAPPORT_DATA_DIR");
  command.add_option("--log-level", log_level, "trace|debug|info|warn|error (default: warn)")
      ->envname("RAPPORT_LOG_LEVEL");
}

int Fail(const Status& status) {
  std::cerr << "rapport: " << status.ToString() << "\n";
  return status.code() == StatusCode::kInvalidArgument ? 2 : 1;
}

Result<Config> LoadConfig(const std::string& config_file, const std::string& data_dir, const std::string& log_level) {
  Config config;
  if (!config_file.empty()) RAPPORT_RETURN_IF_ERROR(LoadConfigFile(config_file, config));
  if (!data_dir.empty()) config.data_dir = data_dir;
  if (!log_level.empty()) config.log_level = log_level;
  auto level = spdlog::level::from_str(config.log_level);
  if (level == spdlog::level::off && config.log_level != "off") {
    return Status::InvalidArgument("log-level", "unknown level \"" + config.log_level + "\"");
  }
  spdlog::set_level(level);
  return config;
}

// SIGINT / SIGTERM (blocked in every thread by main) set a flag: the job finishes
// its current batch and stops. A second signal exits at once (the job is
// crash-safe: resuming re-reads what was not checkpointed).
class StopOnSignal {
 public:
  StopOnSignal() {
    thread_ = std::thread([this] {
      sigset_t signals;
      sigemptyset(&signals);
      sigaddset(&signals, SIGINT);
      sigaddset(&signals, SIGTERM);
      while (!done_) {
        timespec wait{0, 200'000'000};
        if (sigtimedwait(&signals, nullptr, &wait) > 0) {
          if (stop_) _exit(130);
          stop_ = true;
        }
      }
    });
  }
  ~StopOnSignal() {
    done_ = true;
    thread_.join();
  }
  const std::atomic<bool>& flag() const { return stop_; }

 private:
  std::atomic<bool> stop_{false}, done_{false};
  std::thread thread_;
};

std::string WithCommas(int64_t value) {
  std::string text = std::to_string(value);
  for (int i = static_cast<int>(text.size()) - 3; i > (value < 0 ? 1 : 0); i -= 3) text.insert(i, ",");
  return text;
}

// `--config DIR/settings.yaml` for `rapport serve`: the replay's domain settings.
Status WriteSettingsFile(const std::filesystem::path& path, const Config& config) {
  std::ofstream out(path, std::ios::trunc);
  out << "# The domain settings a what-if replay ran with: rapport serve --config " << path.string() << "\n";
  for (const auto& [name, value] : DomainSettingsText(config)) out << name << ": \"" << value << "\"\n";
  return out ? Status::Ok() : Status::Unavailable("cannot write " + path.string());
}

}  // namespace

AnalystCommands::AnalystCommands(CLI::App& app) {
  replay_ = app.add_subcommand("replay", "rebuild a projection from the event journal into a separate store");
  AddCommon(*replay_, replay_common_.config_file, replay_common_.data_dir, replay_common_.log_level);
  std::string known;
  for (const std::string& name : ProjectionNames()) known += (known.empty() ? "" : ", ") + name;
  replay_->add_option("projection", projection_, "which projection (" + known + ")")->required();
  replay_->add_option("--as-known-at", known_at_, "only events recorded by T (RFC 3339, date or epoch ms)");
  replay_->add_option("--as-happened-by", happened_by_, "only events that occurred by T");
  replay_->add_option("--to-offsets", to_offsets_, "only offsets below these: partition:offset,...");
  replay_->add_option("--into", into_, "output directory (default: <data-dir>/replays/<name>)");
  replay_->add_option("--batch", batch_events_, "events per fold batch (default 20000)")
      ->check(CLI::Range(1, 10'000'000));
  replay_->add_option("--ingest-every", ingest_events_,
                      "events per checkpoint, ingested as sorted SST files (default 500000); "
                      "0: a WriteBatch checkpoint every --batch events")
      ->check(CLI::Range(0, 100'000'000));

  diff_ = app.add_subcommand("diff", "customers whose state differs between two data directories, field by field");
  AddCommon(*diff_, diff_common_.config_file, diff_common_.data_dir, diff_common_.log_level);
  diff_->add_option("dir1", left_dir_, "a data directory or replay output")->required();
  diff_->add_option("dir2", right_dir_, "another one")->required();
  diff_->add_option("--projection", diff_projection_, "compare this projection only (default: every one in both)");

  export_ = app.add_subcommand("export", "the event history from the journal as JSON Lines or CSV");
  AddCommon(*export_, export_common_.config_file, export_common_.data_dir, export_common_.log_level);
  export_->add_option("--from", from_, "events that occurred at or after T");
  export_->add_option("--to", to_, "events that occurred at or before T");
  export_->add_option("--customer", customer_, "one customer's events");
  export_->add_option("--type", types_, "event types, comma-separated (default: all)");
  export_->add_option("--format", format_, "jsonl (the gateway's JSON) or csv")->required();
  export_->add_option("--out", out_, "output file (default: standard output)");
  export_->add_flag("--with-duplicates", with_duplicates_,
                    "the raw journal for audits: every copy of an event an older journal holds "
                    "(default: each event once, its first accepted copy)");
}

std::optional<int> AnalystCommands::Run() {
  if (replay_->parsed()) return Replay();
  if (diff_->parsed()) return Diff();
  if (export_->parsed()) return Export();
  return std::nullopt;
}

int AnalystCommands::Replay() {
  auto config = LoadConfig(replay_common_.config_file, replay_common_.data_dir, replay_common_.log_level);
  if (!config.ok()) return Fail(config.status());
  if (Status known = CheckProjectionName(projection_); !known.ok()) return Fail(known);
  ReplayRequest request;
  request.projection = projection_;
  request.data_dir = config->data_dir;
  request.into = into_;
  request.config = *config;
  request.batch_events = batch_events_;
  request.bulk_ingest = ingest_events_ > 0;
  if (ingest_events_ > 0) request.ingest_events = ingest_events_;
  if (!known_at_.empty()) {
    auto t = ParseTimeFlag(known_at_, "--as-known-at");
    if (!t.ok()) return Fail(t.status());
    request.cut.known_at_ms = *t;
  }
  if (!happened_by_.empty()) {
    auto t = ParseTimeFlag(happened_by_, "--as-happened-by");
    if (!t.ok()) return Fail(t.status());
    request.cut.happened_by_ms = *t;
  }
  if (!to_offsets_.empty()) {
    auto offsets = ParseToOffsets(to_offsets_, "--to-offsets");
    if (!offsets.ok()) return Fail(offsets.status());
    request.cut.to_offsets = *offsets;
  }
  if (request.into.empty()) request.into = DefaultReplayDir(request);
  std::printf("replay %s from %s into %s\n", request.projection.c_str(), (request.data_dir / "journal").c_str(),
              request.into.c_str());
  std::fflush(stdout);

  StopOnSignal stop;
  ProgressBar bar("replay " + request.projection);
  ReplayControl control;
  control.stop = &stop.flag();
  control.on_progress = [&](const ReplayProgress& p) { bar.Update(p.done, p.total, p.read_this_run, p.seconds_this_run); };
  auto summary = RunReplay(request, control);
  bar.Finish();
  if (!summary.ok()) return Fail(summary.status());
  const ReplaySummary& s = *summary;
  if (s.custom_settings) {
    Status written = WriteSettingsFile(request.into / "settings.yaml", request.config);
    if (!written.ok()) return Fail(written);
  }
  if (s.already_complete) std::printf("already complete (nothing to do)\n");
  const double rate = s.seconds_this_run > 0 ? static_cast<double>(s.read_this_run) / s.seconds_this_run : 0;
  std::printf("%s: %s events read (%s applied, %s duplicates, %s left out by the cut, %s dead letters)\n",
              s.complete ? "done" : "stopped", WithCommas(s.read).c_str(), WithCommas(s.applied).c_str(),
              WithCommas(s.duplicates).c_str(), WithCommas(s.filtered).c_str(), WithCommas(s.dead_lettered).c_str());
  if (s.read_this_run > 0) {
    std::printf("this run: %s events in %.2f s: %s events/s%s\n", WithCommas(s.read_this_run).c_str(),
                s.seconds_this_run, WithCommas(static_cast<int64_t>(rate)).c_str(), s.resumed ? " (resumed)" : "");
  }
  for (const ReplayDeadLetter& dead : s.dead_letters) {
    std::printf("  dead letter: partition %d offset %lld customer %s: %s\n", dead.partition.value(),
                static_cast<long long>(dead.offset.value()), dead.customer_id.c_str(), dead.reason.c_str());
  }
  if (s.dead_lettered > static_cast<int64_t>(s.dead_letters.size())) {
    std::printf("  ... and %lld more (meta keys replay/dead-letter/ of %s)\n",
                static_cast<long long>(s.dead_lettered - static_cast<int64_t>(s.dead_letters.size())),
                s.store_dir.c_str());
  }
  if (!s.complete) {
    std::printf("run the same command again to continue\n");
    return 130;
  }
  std::printf("query it:  rapport serve --data-dir %s%s --listen 127.0.0.1:8081\n", request.into.c_str(),
              s.custom_settings ? (" --config " + (request.into / "settings.yaml").string()).c_str() : "");
  return 0;
}

int AnalystCommands::Diff() {
  auto config = LoadConfig(diff_common_.config_file, diff_common_.data_dir, diff_common_.log_level);
  if (!config.ok()) return Fail(config.status());
  std::vector<std::string> projections;
  if (!diff_projection_.empty()) {
    if (Status known = CheckProjectionName(diff_projection_); !known.ok()) {
      return Fail(Status::InvalidArgument("--projection", known.message()));
    }
    projections.push_back(diff_projection_);
  } else {
    for (const std::string& name : ProjectionNames()) {
      if (std::filesystem::exists(std::filesystem::path(left_dir_) / name / "CURRENT") &&
          std::filesystem::exists(std::filesystem::path(right_dir_) / name / "CURRENT")) {
        projections.push_back(name);
      }
    }
    if (projections.empty()) {
      return Fail(Status::InvalidArgument("dir1", "no projection store is in both " + left_dir_ + " and " + right_dir_));
    }
  }
  // Each side is read with the settings it was made with (a replay's, or --config).
  auto open_side = [&](const std::string& dir, const std::string& name, const char* arg,
                       std::unique_ptr<projections::Store>& store) -> Result<DiffSide> {
    const auto path = std::filesystem::path(dir) / name;
    if (!std::filesystem::exists(path / "CURRENT")) {
      return Status::InvalidArgument(arg, "no " + name + " store in " + dir);
    }
    auto opened = projections::Store::Open(path, projections::OpenMode::kReadOnly);
    if (!opened.ok()) return opened.status();
    store = std::move(opened).value();
    auto settings = SettingsOfStore(*store, *config);
    if (!settings.ok()) return settings.status();
    DiffSide side{store.get(), *settings};
    return side;
  };
  int64_t differing = 0;
  for (const std::string& name : projections) {
    std::unique_ptr<projections::Store> left_store, right_store;
    auto left = open_side(left_dir_, name, "dir1", left_store);
    if (!left.ok()) return Fail(left.status());
    auto right = open_side(right_dir_, name, "dir2", right_store);
    if (!right.ok()) return Fail(right.status());
    auto counts = DiffStores(name, *left, *right, [&](const CustomerDifference& difference) {
      std::printf("%s %s\n", name.c_str(), difference.customer_id.c_str());
      for (const FieldDifference& field : difference.fields) std::printf("%s\n", FormatDifference(field).c_str());
    });
    if (!counts.ok()) return Fail(counts.status());
    std::printf("%s: %s of %s customers differ\n", name.c_str(), WithCommas(counts->differing).c_str(),
                WithCommas(counts->customers).c_str());
    differing += counts->differing;
  }
  return differing > 0 ? 1 : 0;  // like diff(1)
}

int AnalystCommands::Export() {
  auto config = LoadConfig(export_common_.config_file, export_common_.data_dir, export_common_.log_level);
  if (!config.ok()) return Fail(config.status());
  ExportRequest request;
  auto format = ParseExportFormat(format_, "--format");
  if (!format.ok()) return Fail(format.status());
  request.format = *format;
  if (!from_.empty()) {
    auto t = ParseTimeFlag(from_, "--from");
    if (!t.ok()) return Fail(t.status());
    request.from_ms = *t;
  }
  if (!to_.empty()) {
    auto t = ParseTimeFlag(to_, "--to");
    if (!t.ok()) return Fail(t.status());
    request.to_ms = *t;
  }
  if (request.from_ms && request.to_ms && *request.from_ms > *request.to_ms) {
    return Fail(Status::InvalidArgument("--to", "is before --from"));
  }
  if (!customer_.empty()) request.customer_id = customer_;
  request.with_duplicates = with_duplicates_;
  if (!types_.empty()) {
    auto types = ParseEventTypes(types_, "--type");
    if (!types.ok()) return Fail(types.status());
    request.types = *types;
  }
  const auto journal_dir = std::filesystem::path(config->data_dir) / "journal";
  if (!std::filesystem::exists(journal_dir / "CURRENT")) {
    return Fail(Status::InvalidArgument("data-dir", "no event journal in " + journal_dir.string()));
  }
  const auto secondary = std::filesystem::temp_directory_path() / ("rapport-export-" + std::to_string(::getpid()));
  auto journal = projections::Journal::Open(journal_dir, projections::OpenMode::kSecondary, secondary);
  if (!journal.ok()) return Fail(journal.status());
  std::ofstream file;
  if (!out_.empty()) {
    file.open(out_, std::ios::trunc | std::ios::binary);
    if (!file) return Fail(Status::InvalidArgument("--out", "cannot write " + out_));
  }
  std::ostream& out = out_.empty() ? std::cout : file;
  ProgressBar bar("export");
  auto stats = ExportHistory(**journal, request, out, [&](int64_t done, int64_t total) { bar.Update(done, total, done); });
  bar.Finish();
  journal->reset();
  std::error_code ignored;
  std::filesystem::remove_all(secondary, ignored);
  if (!stats.ok()) return Fail(stats.status().WithContext("export"));
  std::fprintf(stderr, "exported %s of %s journal entries%s%s\n", WithCommas(stats->written).c_str(),
               WithCommas(stats->read).c_str(), out_.empty() ? "" : (" to " + out_).c_str(),
               stats->undecodable ? (", " + WithCommas(stats->undecodable) + " undecodable skipped").c_str() : "");
  return 0;
}

}  // namespace rapport::services
