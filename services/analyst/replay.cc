#include "services/analyst/replay.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <utility>

#include <nlohmann/json.hpp>

#include "services/access/cluster_secret.h"

#include "events/time_format.h"
#include "projections/runtime/rebuilder.h"
#include "storage/store_memory.h"
#include "services/model/churn_fits.h"
#include "services/platform/projection_registry.h"

namespace rapport::services {
namespace {

using nlohmann::json;
using projections::Store;

constexpr size_t kListedDeadLetters = 100;

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

// Settles the request's defaults and checks what can be checked before the output
// is opened. Errors name the argument.
Status CheckRequest(ReplayRequest& request) {
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
  // `rapport serve` over the output finds the live platform's brokers and cluster
  // secret through it (its credentials decide who may query the replay).
  {
    std::ofstream source(SourceDataDirFile(request.into), std::ios::trunc);
    source << std::filesystem::absolute(request.data_dir, ec).string() << "\n";
  }
  return Status::Ok();
}

projections::RebuildOptions RebuildOptionsOf(const ReplayRequest& request, const std::filesystem::path& store_dir) {
  projections::RebuildOptions options;
  options.store_dir = store_dir;
  options.journal_dir = request.data_dir / "journal";
  options.secondary_dir = request.into / (".journal-secondary-" + std::to_string(::getpid()));
  options.topic = request.config.kafka.topics.interactions;
  options.cut = request.cut;
  options.batch_events = request.batch_events;
  options.bulk_ingest = request.bulk_ingest;
  options.ingest_events = request.ingest_events;
  options.state_cache_entries = static_cast<size_t>(request.config.storage.replay_state_cache_entries);
  return options;
}

// The counters over every run and the first dead letters.
Status FillSummary(const projections::Rebuilder& rebuilder, ReplaySummary& summary) {
  const projections::RebuildCounters& counters = rebuilder.counters();
  summary.read = counters.read;
  summary.applied = counters.applied;
  summary.duplicates = counters.duplicates;
  summary.filtered = counters.filtered;
  summary.dead_lettered = counters.dead_lettered;
  auto dead = projections::ReadRebuildDeadLetters(rebuilder.store(), kListedDeadLetters);
  if (!dead.ok()) return dead.status();
  summary.dead_letters = std::move(dead).value();
  return Status::Ok();
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
  auto arguments = projections::ReadMetaJson(store, projections::kRebuildArgumentsKey);
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
  RAPPORT_RETURN_IF_ERROR(CheckRequest(request));
  ReplaySummary summary;
  summary.store_dir = request.into / request.projection;
  summary.custom_settings = DomainSettingsText(request.config) != DomainSettingsText(Config{});
  const json arguments = ArgumentsJson(request);
  auto rebuilder = projections::Rebuilder::Open(RebuildOptionsOf(request, summary.store_dir));
  if (!rebuilder.ok()) return rebuilder.status();
  if ((*rebuilder)->foreign()) {
    return Status::InvalidArgument("into", summary.store_dir.string() + " is a store that no replay made");
  }
  if ((*rebuilder)->arguments()) {
    RAPPORT_RETURN_IF_ERROR(CompareArguments(*(*rebuilder)->arguments(), arguments, summary.store_dir));
    summary.resumed = true;
  }
  if ((*rebuilder)->complete()) {  // a finished replay needs no journal
    summary.complete = summary.already_complete = true;
    RAPPORT_RETURN_IF_ERROR(FillSummary(**rebuilder, summary));
    return summary;
  }
  RAPPORT_RETURN_IF_ERROR((*rebuilder)->Start(arguments));
  Store& store = (*rebuilder)->store();
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
  auto run = (*rebuilder)->Run(**projection, control);
  if (!run.ok()) return run.status();
  summary.complete = run->complete;
  summary.read_this_run = run->read_this_run;
  summary.seconds_this_run = run->seconds_this_run;
  RAPPORT_RETURN_IF_ERROR(FillSummary(**rebuilder, summary));
  return summary;
}

}  // namespace rapport::services
