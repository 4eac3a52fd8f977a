// rapport: the one binary. Subcommands:
//   up        everything in one process (embedded broker unless --brokers)
//   gateway   HTTP ingestion only
//   project   one projector (a registered projection); --serve: scaled-out query instance
//   serve     the query API over the projections' stores in --data-dir
//   archive   the archive consumer: writes the event journal (real clusters)
//   config    prints every setting with its effective value
//   model fit fits the churn / CLV model on the journal and publishes its parameters
//   replay    rebuilds a projection from the journal into a separate store (analysts)
//   diff      customers whose state differs between two data directories
//   export    the event history as JSON Lines or CSV
//   dlq       list | show | replay the dead-letter topic
//   alerts    prints churn alerts from the alert topic (--follow keeps reading)
//   webhooks  failed | redrive: failed alert webhook deliveries
//   keys      create | list | revoke credentials (docs/security.md)
// Options read RAPPORT_* environment variables too (see README).

#include <csignal>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <optional>
#include <unistd.h>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "events/time_format.h"
#include "services/access/cluster_secret.h"
#include "services/access/first_credential.h"
#include "services/access/keys_command.h"
#include "services/analyst/analyst_cli.h"
#include "services/alerts/alert_follow.h"
#include "services/alerts/webhook_command.h"
#include "services/platform/broker_lookup.h"
#include "services/config/config.h"
#include "services/model/model_fit.h"
#include "services/model/model_parameters_topic.h"
#include "services/ops/dead_letter_command.h"
#include "services/platform/platform.h"
#include "services/process/process_memory.h"
#include "services/platform/projection_registry.h"
#include "services/ingest/sample_data.h"

namespace {

using rapport::Status;
using namespace rapport::services;

struct CommonOptions {
  std::string config_file;
  std::string brokers;
  std::string data_dir;
  std::string listen;
  std::string log_level;
  // The HTTP listener of the platform commands (AddHttpOptions).
  std::string tls_cert;
  std::string tls_key;
  bool insecure_http = false;
  std::string access_log;
  std::string cluster_secret_file;
};

void AddCommonOptions(CLI::App& command, CommonOptions& options) {
  command.add_option("--config", options.config_file, "YAML config file")->envname("RAPPORT_CONFIG");
  command.add_option("--brokers", options.brokers, "Kafka bootstrap servers (default: embedded broker for `up`)")
      ->envname("RAPPORT_BROKERS");
  command.add_option("--data-dir", options.data_dir, "where RocksDB state lives (default: data)")
      ->envname("RAPPORT_DATA_DIR");
  command.add_option("--listen", options.listen, "HTTP address (default: 127.0.0.1:8080)")
      ->envname("RAPPORT_LISTEN");
  command.add_option("--log-level", options.log_level, "trace|debug|info|warn|error (default: warn)")
      ->envname("RAPPORT_LOG_LEVEL");
  command.add_option("--cluster-secret-file", options.cluster_secret_file,
                     "the cluster secret that signs control records (default: <data-dir>/cluster.secret)")
      ->envname("RAPPORT_CLUSTER_SECRET_FILE");
}

// up, gateway, project, serve, archive: the HTTP listener's TLS and access log.
void AddHttpOptions(CLI::App& command, CommonOptions& options) {
  command.add_option("--tls-cert", options.tls_cert, "PEM certificate chain: serve HTTPS only (with --tls-key)")
      ->envname("RAPPORT_TLS_CERT");
  command.add_option("--tls-key", options.tls_key, "PEM private key of --tls-cert")->envname("RAPPORT_TLS_KEY");
  command.add_flag("--insecure-http", options.insecure_http,
                   "allow plain HTTP on a non-loopback --listen (behind a TLS-terminating proxy)")
      ->envname("RAPPORT_INSECURE_HTTP");
  command.add_option("--access-log", options.access_log, "append one JSON line per HTTP request to this file")
      ->envname("RAPPORT_ACCESS_LOG");
}

// defaults < config file < environment < command line (CLI11 merges the last two).
rapport::Result<Config> BuildConfig(const CommonOptions& options) {
  Config config;
  if (!options.config_file.empty()) RAPPORT_RETURN_IF_ERROR(LoadConfigFile(options.config_file, config));
  if (!options.brokers.empty()) config.brokers = options.brokers;
  if (!options.data_dir.empty()) config.data_dir = options.data_dir;
  if (!options.listen.empty()) config.listen = options.listen;
  if (!options.log_level.empty()) config.log_level = options.log_level;
  if (!options.tls_cert.empty()) config.http.tls_cert = options.tls_cert;
  if (!options.tls_key.empty()) config.http.tls_key = options.tls_key;
  if (options.insecure_http) config.http.insecure_http = true;
  if (!options.access_log.empty()) config.http.access_log = options.access_log;
  if (!options.cluster_secret_file.empty()) config.access.cluster_secret_file = options.cluster_secret_file;
  auto level = spdlog::level::from_str(config.log_level);
  if (level == spdlog::level::off && config.log_level != "off") {
    return Status::InvalidArgument("log_level", "unknown level \"" + config.log_level + "\"");
  }
  spdlog::set_level(level);
  auto address = ParseHostPort(config.listen, "listen");
  if (!address.ok()) return address.status();
  return config;
}

// Waits for SIGINT or SIGTERM (blocked in every thread, see main).
void WaitForSignal() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  int received = 0;
  sigwait(&signals, &received);
  spdlog::warn("signal {}: finishing the current batches and stopping", received);
}

int Fail(const Status& status) {
  std::cerr << "rapport: " << status.ToString() << "\n";
  return status.code() == rapport::StatusCode::kInvalidArgument ? 2 : 1;
}

// `rapport config`: the settings after defaults, file, environment and flags.
int PrintConfig(const CommonOptions& options) {
  auto config = BuildConfig(options);
  if (!config.ok()) return Fail(config.status());
  SettingsBinder binder;
  BindConfig(binder, *config);
  for (const auto& [name, value] : binder.Dump()) std::printf("%s = %s\n", name.c_str(), value.c_str());
  return 0;
}

int RunPlatform(const CommonOptions& options, Roles roles, const SampleOptions* sample) {
  auto config = BuildConfig(options);
  if (!config.ok()) return Fail(config.status());
  // glibc malloc for a long run of many threads, before they start (malloc.*).
  if (Status tuned = ApplyMallocSettings(config->malloc_tuning); !tuned.ok()) return Fail(tuned);
  MallocTrimmer trimmer(std::chrono::milliseconds(config->malloc_tuning.trim_interval_ms));
  // A sibling `rapport up` on the same data dir publishes its embedded broker.
  if (!roles.embedded_broker) ResolveBrokers(*config);
  config->kafka.bootstrap_servers = config->brokers;
  auto platform = Platform::Start(*config, roles);
  if (!platform.ok()) return Fail(platform.status());
  auto& p = **platform;

  const std::string http = (config->http.tls_cert.empty() ? "http://" : "https://") + ParseHostPort(config->listen, "listen")->host + ":" +
                           std::to_string(p.http_port());
  std::printf("rapport is running\n  HTTP:   %s\n", http.c_str());
  if (!p.bootstrap_servers().empty()) {
    std::printf("  Kafka:  %s%s\n", p.bootstrap_servers().c_str(),
                p.embedded_broker() ? "  (embedded; also in " : "");
    if (p.embedded_broker()) std::printf("          %s)\n", BootstrapFile(*config).string().c_str());
  }
  std::printf("  data:   %s\n", config->data_dir.c_str());
  if (p.restored() > 0) {
    std::printf("  journal: %lld event(s) restored into the embedded broker\n", static_cast<long long>(p.restored()));
  }
  if (sample && p.gateway()) {
    auto loaded = LoadSampleData(*p.gateway(), *sample);
    if (!loaded.ok()) return Fail(loaded.status());
    std::printf("  sample: %lld events for %d customers published\n", static_cast<long long>(*loaded),
                sample->customers);
  }
  const std::string token_file = AdminTokenFile(p.config()).string();
  if (roles.embedded_broker) {
    std::printf("  admin token: %s  (every role; `rapport keys create` makes narrower ones)\n",
                token_file.c_str());
  }
  if (p.gateway()) {
    const std::string auth = "-H \"Authorization: Bearer $(cat " + token_file + ")\"";
    std::printf(
        "\nTry:\n"
        "  curl %s -X POST %s/v1/events -H 'content-type: application/json' -d '{\"event_id\":\"e-1\","
        "\"customer_id\":\"c-42\",\"occurred_at\":\"2026-03-01T10:15:00Z\",\"channel\":\"call_centre\","
        "\"type\":\"purchase\",\"order_id\":\"o-9\",\"amount\":1250,\"cost\":800,\"currency\":\"EUR\","
        "\"items\":2,\"category\":\"shoes\"}'\n"
        "  curl %s %s/v1/customers/c-42\n",
        auth.c_str(), http.c_str(), auth.c_str(), http.c_str());
  }
  std::printf("\nCtrl-C stops it.\n");
  std::fflush(stdout);
  WaitForSignal();
  p.Stop();
  return 0;
}

// `rapport model fit`: reads every purchase from the journal (as a secondary, so it
// works next to a running `rapport up`), fits BG/NBD and Gamma-Gamma as of an event
// time, prints the parameters and publishes them unless --dry-run.
struct ModelFitFlags {
  std::string as_of;
  bool dry_run = false;
};

int RunModelFit(const CommonOptions& options, const ModelFitFlags& flags) {
  auto config = BuildConfig(options);
  if (!config.ok()) return Fail(config.status());
  std::optional<int64_t> as_of;
  if (!flags.as_of.empty()) {
    auto parsed = rapport::events::ParseRfc3339(flags.as_of, "--as-of");
    if (!parsed.ok()) return Fail(parsed.status());
    as_of = *parsed;
  }
  if (!flags.dry_run) {
    ResolveBrokers(*config);
    if (config->brokers.empty()) {
      return Fail(Status::InvalidArgument("--brokers", "no Kafka brokers to publish to: pass --brokers or --dry-run"));
    }
    // Readers reject parameters not signed with the cluster secret.
    auto secret = LoadClusterSecret(*config, /*create_if_missing=*/false);
    if (!secret.ok()) return Fail(secret.status());
    config->kafka.record_secret = *secret;
  }
  const auto dir = std::filesystem::path(config->data_dir) / "journal";
  if (!std::filesystem::exists(dir / "CURRENT")) {
    return Fail(Status::InvalidArgument("--data-dir", "no event journal in " + dir.string()));
  }
  auto journal = rapport::projections::Journal::Open(dir, rapport::projections::OpenMode::kSecondary);
  if (!journal.ok()) return Fail(journal.status().WithContext("--data-dir"));
  const bool terminal = isatty(STDERR_FILENO);
  if (terminal) std::fprintf(stderr, "reading the journal in %s ...\n", dir.string().c_str());
  auto purchases = CollectPurchases(**journal, as_of);
  if (!purchases.ok()) return Fail(purchases.status());
  const int64_t as_of_ms = as_of ? *as_of : purchases->max_occurred_at_ms;
  if (terminal) {
    std::fprintf(stderr, "fitting %zu customers as of %s ...\n", purchases->by_customer.size(),
                 rapport::events::FormatRfc3339(as_of_ms).c_str());
  }
  auto report = FitModel(*purchases, as_of_ms);
  if (!report.ok()) {
    // Nothing to fit as of that time: the flag (or the journal) is what to change.
    if (report.status().code() != rapport::StatusCode::kInvalidArgument) return Fail(report.status());
    return Fail(Status::InvalidArgument(as_of ? "--as-of" : "--data-dir",
                                        report.status().message() + " (" + dir.string() + ", as of " +
                                            rapport::events::FormatRfc3339(as_of_ms) + ")"));
  }
  const auto& p = report->parameters;
  std::printf("model %s as of %s (time unit: %s)\n", p.model.c_str(), rapport::events::FormatRfc3339(p.as_of_ms).c_str(),
              p.time_unit.c_str());
  std::printf("  events read:    %lld (%lld undecodable, skipped)\n", static_cast<long long>(purchases->events),
              static_cast<long long>(purchases->undecodable));
  std::printf("  customers:      %lld (%lld purchases; %lld repeat buyers for Gamma-Gamma)\n",
              static_cast<long long>(p.customers), static_cast<long long>(report->purchases),
              static_cast<long long>(p.gamma_gamma_customers));
  std::printf("  BG/NBD:         r=%.6g alpha=%.6g a=%.6g b=%.6g  log-likelihood %.6f\n", p.bgnbd.r, p.bgnbd.alpha,
              p.bgnbd.a, p.bgnbd.b, p.bgnbd_log_likelihood);
  std::printf("  Gamma-Gamma:    p=%.6g q=%.6g gamma=%.6g  log-likelihood %.6f\n", p.gamma_gamma.p, p.gamma_gamma.q,
              p.gamma_gamma.gamma, p.gamma_gamma_log_likelihood);
  std::printf("  fit time:       %.3f s (%d + %d likelihood evaluations)\n", report->fit_seconds,
              report->bgnbd_evaluations, report->gamma_gamma_evaluations);
  if (!report->bgnbd_converged || !report->gamma_gamma_converged) {
    std::printf("  note:           %s stopped at the evaluation cap: the data barely constrain some parameters\n",
                !report->bgnbd_converged ? "BG/NBD" : "Gamma-Gamma");
  }
  if (flags.dry_run) {
    std::printf("  not published (--dry-run)\n");
    return 0;
  }
  auto publisher = rapport::events::Publisher::Create(config->kafka, "rapport-model-fit");
  if (!publisher.ok()) return Fail(publisher.status().WithContext("--brokers"));
  Status published = PublishModelParameters(**publisher, config->kafka, p);
  if (!published.ok()) return Fail(published.WithContext("publish to " + config->kafka.topics.model_parameters));
  std::printf("  published to %s (key %s)\n", config->kafka.topics.model_parameters.c_str(), ModelParametersKey(p).c_str());
  return 0;
}

// `rapport alerts`: the alert topic, one line per alert; Ctrl-C stops --follow.
int RunAlerts(const CommonOptions& options, AlertsOptions alerts, const std::string& tiers) {
  auto config = BuildConfig(options);
  if (!config.ok()) return Fail(config.status());
  if (!tiers.empty()) {
    auto parsed = ParseTierList(tiers);
    if (!parsed.ok()) return Fail(parsed.status());
    alerts.tiers = *parsed;
  }
  ResolveBrokers(*config);
  if (config->brokers.empty()) {
    return Fail(Status::InvalidArgument("brokers", "no Kafka brokers: pass --brokers or run `rapport up` first"));
  }
  std::atomic<bool> stop{false};
  std::thread watcher([&stop] {
    WaitForSignal();
    stop = true;
  });
  watcher.detach();  // the process ends with main; the watcher may still wait
  Status status = FollowAlerts(config->kafka, alerts, std::cout, stop);
  if (!status.ok()) return Fail(status);
  return 0;
}

// One subcommand: its parsed CLI11 node and what runs when it was given.
struct Command {
  CLI::App* app = nullptr;
  std::function<int()> run;
};

// Every option holder of every subcommand (CLI11 writes into them while parsing).
struct Options {
  CommonOptions up, gateway, project, archive, serve, config, model, dlq, alerts, webhooks, keys;
  std::string key_name, key_roles, revoke_name;
  SampleOptions sample;
  bool with_sample = false;
  std::string projection;
  bool project_serves = false;
  ModelFitFlags model_flags;
  DlqOptions dlq_flags;
  AlertsOptions alert_flags;
  WebhookOptions webhook_flags;
  std::string alert_tiers;
};

CLI::App* AddCommand(CLI::App& app, const char* name, const char* help, CommonOptions& options) {
  auto* command = app.add_subcommand(name, help);
  AddCommonOptions(*command, options);
  return command;
}

// A command that runs the HTTP listener.
CLI::App* AddServingCommand(CLI::App& app, const char* name, const char* help, CommonOptions& options) {
  auto* command = AddCommand(app, name, help, options);
  AddHttpOptions(*command, options);
  return command;
}

// up, gateway, project, archive, serve: the roles of a running platform.
void AddPlatformCommands(CLI::App& app, Options& o, std::vector<Command>& commands) {
  auto* up = AddServingCommand(app, "up", "run everything in one process (embedded Kafka unless --brokers)", o.up);
  up->add_flag("--sample-data", o.with_sample, "publish a generated sample population at start");
  up->add_option("--sample-customers", o.sample.customers, "customers in the sample (default 2000)")
      ->check(CLI::Range(1, 10'000'000));
  commands.push_back({up, [&o] {
                        Roles roles{.embedded_broker = true,
                                    .gateway = true,
                                    .archive = true,
                                    .query = true,
                                    .projections = ProjectionNames()};
                        return RunPlatform(o.up, roles, o.with_sample ? &o.sample : nullptr);
                      }});
  auto* gateway = AddServingCommand(app, "gateway", "HTTP ingestion: POST /v1/events", o.gateway);
  commands.push_back({gateway, [&o] { return RunPlatform(o.gateway, Roles{.gateway = true}, nullptr); }});
  auto* project = AddServingCommand(app, "project", "run one projector", o.project);
  project->add_option("projection", o.projection, "which projection")
      ->required()
      ->check(CLI::IsMember(ProjectionNames()));
  project->add_flag("--serve", o.project_serves,
                    "also serve the query API, as one of N scaled-out instances (docs/scaling.md)");
  commands.push_back({project, [&o] {
                        return RunPlatform(
                            o.project,
                            Roles{.query = o.project_serves, .cluster = o.project_serves, .projections = {o.projection}},
                            nullptr);
                      }});
  auto* archive =
      AddServingCommand(app, "archive", "write the event journal from the topic (real Kafka clusters)", o.archive);
  commands.push_back({archive, [&o] { return RunPlatform(o.archive, Roles{.archive = true}, nullptr); }});
  auto* serve = AddServingCommand(app, "serve", "query API over the stores in --data-dir", o.serve);
  commands.push_back({serve, [&o] { return RunPlatform(o.serve, Roles{.query = true}, nullptr); }});
}

// config, model fit.
void AddSettingsAndModelCommands(CLI::App& app, Options& o, std::vector<Command>& commands) {
  auto* config = AddServingCommand(app, "config", "print every setting with its effective value", o.config);
  commands.push_back({config, [&o] { return PrintConfig(o.config); }});
  auto* model = app.add_subcommand("model", "the probabilistic churn / CLV model (BG/NBD, Gamma-Gamma)");
  model->require_subcommand(1);
  auto* fit = AddCommand(*model, "fit", "fit the model on the event journal and publish its parameters", o.model);
  fit->add_option("--as-of", o.model_flags.as_of,
                  "event time to summarise customers at, RFC 3339 (default: the latest occurred_at)");
  fit->add_flag("--dry-run", o.model_flags.dry_run, "fit and print, do not publish");
  commands.push_back({fit, [&o] { return RunModelFit(o.model, o.model_flags); }});
}

// dlq, alerts: the Kafka-side tools.
void AddTopicCommands(CLI::App& app, Options& o, std::vector<Command>& commands) {
  auto* dlq = AddCommand(app, "dlq", "inspect and re-drive dead-letter records", o.dlq);
  AddDlqSubcommands(*dlq, o.dlq_flags);
  commands.push_back({dlq, [&o] {
                        auto config = BuildConfig(o.dlq);
                        if (!config.ok()) return Fail(config.status());
                        ResolveBrokers(*config);
                        if (config->brokers.empty()) {
                          return Fail(Status::InvalidArgument(
                              "brokers", "no Kafka brokers: pass --brokers, or --data-dir of a running `rapport up`"));
                        }
                        return RunDlq(*config, o.dlq_flags);
                      }});
  auto* alerts = AddCommand(app, "alerts", "print churn alerts from the alert topic", o.alerts);
  alerts->add_flag("--follow,-f", o.alert_flags.follow, "keep reading new alerts (Ctrl-C stops)");
  alerts->add_option("--tier", o.alert_tiers, "only raised alerts of these tiers, e.g. A,B");
  alerts->add_flag("--json", o.alert_flags.json, "one JSON object per line");
  commands.push_back({alerts, [&o] { return RunAlerts(o.alerts, o.alert_flags, o.alert_tiers); }});
  auto* webhooks = AddCommand(app, "webhooks", "list and re-drive failed alert webhook deliveries", o.webhooks);
  AddWebhookSubcommands(*webhooks, o.webhook_flags);
  commands.push_back({webhooks, [&o] {
                        auto config = BuildConfig(o.webhooks);
                        if (!config.ok()) return Fail(config.status());
                        return RunWebhooks(*config, o.webhook_flags);
                      }});
}

// `rapport keys ...`: the brokers and the cluster secret of the data dir's
// `rapport up`, or the ones given.
int RunKeys(const CommonOptions& options, const std::function<Status(const Config&)>& action) {
  auto config = BuildConfig(options);
  if (!config.ok()) return Fail(config.status());
  ResolveBrokers(*config);
  if (config->brokers.empty()) {
    return Fail(Status::InvalidArgument("--brokers", "no Kafka brokers: pass --brokers, or --data-dir of a running "
                                                     "`rapport up`"));
  }
  config->kafka.bootstrap_servers = config->brokers;
  auto secret = LoadClusterSecret(*config, /*create_if_missing=*/false);
  if (!secret.ok()) return Fail(secret.status());
  config->kafka.record_secret = *secret;
  Status done = action(*config);
  return done.ok() ? 0 : Fail(done);
}

// keys create | list | revoke.
void AddKeysCommands(CLI::App& app, Options& o, std::vector<Command>& commands) {
  auto* keys = AddCommand(app, "keys", "create, list and revoke credentials (docs/security.md)", o.keys);
  keys->require_subcommand(1);
  keys->fallthrough();  // `keys create --data-dir D`: the common options after the action too
  auto* create = keys->add_subcommand("create", "a new credential; prints its token alone on the last line");
  create->add_option("--name", o.key_name, "the credential's name ([A-Za-z0-9._-], at most 64)")->required();
  create->add_option("--role", o.key_roles, "its roles: publish,read,alerts,analyst,metrics,admin")->required();
  auto* list = keys->add_subcommand("list", "names, roles and creation times (never tokens)");
  auto* revoke = keys->add_subcommand("revoke", "revoke a credential everywhere");
  revoke->add_option("NAME", o.revoke_name, "the credential's name")->required();
  commands.push_back({keys, [&o, create, list] {
                        if (create->parsed()) {
                          return RunKeys(o.keys, [&o](const Config& c) {
                            return CreateKey(c, o.key_name, o.key_roles, std::cout);
                          });
                        }
                        if (list->parsed()) return RunKeys(o.keys, [](const Config& c) { return ListKeys(c, std::cout); });
                        return RunKeys(o.keys, [&o](const Config& c) { return RevokeKey(c, o.revoke_name, std::cout); });
                      }});
}

// Signals are taken synchronously by WaitForSignal; block them before any thread
// starts so every thread inherits the mask.
void BlockSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
}

}  // namespace

int main(int argc, char** argv) {
  BlockSignals();
  spdlog::set_level(spdlog::level::warn);

  CLI::App app{"rapport: event-sourced customer interaction platform"};
  app.require_subcommand(1);
  Options options;
  std::vector<Command> commands;
  AddPlatformCommands(app, options, commands);
  AddSettingsAndModelCommands(app, options, commands);
  AnalystCommands analysts(app);  // replay, diff, export
  AddTopicCommands(app, options, commands);
  AddKeysCommands(app, options, commands);

  CLI11_PARSE(app, argc, argv);

  if (auto code = analysts.Run()) return *code;
  for (const Command& command : commands) {
    if (command.app->parsed()) return command.run();
  }
  return 2;
}
