#pragma once
// Everything a rapport process can be told, with defaults. Sources, later ones win:
// defaults < config file (--config, YAML) < RAPPORT_* environment < command line.
// Every field has a dotted name (see BindConfig); docs/configuration.md lists them.

#include <cstddef>
#include <filesystem>
#include <string>

#include "events/kafka_settings.h"
#include "events/status.h"
#include "projections/domain/domain_settings.h"
#include "storage/store_memory.h"
#include "services/config/access_settings.h"
#include "services/config/model_settings.h"
#include "services/config/outbox_settings.h"
#include "services/process/process_memory.h"
#include "services/config/settings_binder.h"

namespace rapport::services {

struct GatewayLimits {
  int64_t max_body_bytes = 32 << 20;  // larger bodies get 413
  int max_batch_events = 10'000;      // NDJSON lines per request
  int threads = 64;                   // HTTP handler threads (a slow handler holds one, a connection none)
  int max_pending_connections = 256;  // requests in flight (queued or in a handler); more get 503
  OutboxSettings outbox;              // with a real cluster: where events wait while Kafka is away
  // `ingest.max_future_skew` (DOMAIN.md §7, "Event time must be believable"): an
  // occurred_at further than this after the gateway's clock is a 400, and after a
  // projector's clock when it consumes an event written to Kafka directly, a dead
  // letter. Held here because the gateway is the first to check it.
  int64_t max_future_skew_ms = 3'600'000;
};

// The HTTP listener itself (services/http/http_server.h): TLS, connection limits,
// timeouts, the access log. Read timeouts are whole-phase deadlines, so a client
// that trickles bytes is dropped when its phase's deadline passes.
struct HttpSettings {
  std::string tls_cert;        // PEM certificate chain; with tls_key: HTTPS only
  std::string tls_key;         // PEM private key
  bool insecure_http = false;  // allow plain HTTP on a non-loopback address (behind a TLS proxy)
  std::string access_log;      // one JSON line per request to this file; empty: none
  int max_connections = 10'000;     // open connections; more are refused at once
  int idle_timeout_ms = 60'000;     // a keep-alive connection with no request is closed
  int header_timeout_ms = 10'000;   // from a request's first byte to the end of its headers
  int body_timeout_ms = 30'000;     // to read a request's whole body
  int write_timeout_ms = 30'000;    // to write one response (or one event of a stream)
  int stream_threads = 16;          // threads that wait for Server-Sent Events chunks
  int io_threads = 2;               // threads that run the sockets (never a handler)
};

// Scale-out (docs/scaling.md): how the other instances of `rapport project
// customer-view --serve` reach this one.
struct ClusterSettings {
  std::string advertise;    // host:port others use for this HTTP listener; empty: the listen address
  std::string instance_id;  // empty: the advertised address
  int forward_patience_ms = 20'000;  // how long a query waits for an owner (rebalances) before 503
};

struct Config {
  std::string brokers;  // empty: start the embedded broker
  std::string data_dir = "data";
  std::string listen = "127.0.0.1:8080";
  std::string log_level = "warn";  // quiet by default
  int embedded_brokers = 3;
  // Nice value of the projector and archive threads (services/process/thread_priority.h).
  int background_nice = 10;
  events::KafkaSettings kafka;
  GatewayLimits gateway;
  HttpSettings http;
  projections::DomainSettings domain;
  ModelSettings model;  // services/config/model_settings.h
  ClusterSettings cluster;
  AccessSettings access;  // credentials, roles, rate limits, the cluster secret
  projections::StorageSettings storage;  // the RocksDB memory budget (storage/store_memory.h)
  MallocSettings malloc_tuning;          // glibc malloc of the process (services/process/process_memory.h)
};

// Binds every field of `config` under its dotted name.
void BindConfig(SettingsBinder& binder, Config& config);

// Reads a YAML file whose nested keys are the dotted names. Unknown keys and
// malformed values are errors naming the key.
Status LoadConfigFile(const std::filesystem::path& path, Config& config);

// "127.0.0.1:8080" -> host and port; errors name `field`.
struct HostPort {
  std::string host;
  int port = 0;
};
Result<HostPort> ParseHostPort(std::string_view text, std::string_view field);

}  // namespace rapport::services
