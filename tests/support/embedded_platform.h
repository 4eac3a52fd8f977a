#pragma once
// Starts the whole platform the way `rapport up` does (embedded mock cluster, real
// RocksDB in a temp dir, HTTP on a free loopback port) for integration tests.

#include <httplib.h>

#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "events/publisher.h"
#include "services/platform/platform.h"
#include "services/platform/projection_registry.h"
#include "tests/support/admin_token.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait.h"

namespace rapport::testing {

inline services::Config TestConfig(const TempDir& dir) {
  services::Config config;
  config.data_dir = dir.str();
  config.listen = "127.0.0.1:0";
  config.kafka.session_timeout_ms = 6000;
  return config;
}

inline std::unique_ptr<services::Platform> StartEmbeddedPlatform(const services::Config& config) {
  services::Roles roles{
      .embedded_broker = true, .gateway = true, .query = true, .projections = services::ProjectionNames()};
  auto platform = services::Platform::Start(config, roles);
  if (!platform.ok()) FAIL("platform did not start: " << platform.status().ToString());
  return std::move(platform).value();
}

// StartEmbeddedPlatform, then waits until the platform is ready (Platform::ready).
inline std::unique_ptr<services::Platform> StartReadyPlatform(const services::Config& config) {
  auto platform = StartEmbeddedPlatform(config);
  REQUIRE(WaitFor([&] { return platform->ready(); }));
  return platform;
}

// A client of the platform's HTTP listener that sends the admin token of its data
// directory (see admin_token.h).
inline httplib::Client HttpClient(const services::Platform& platform) {
  httplib::Client client("127.0.0.1", platform.http_port());
  client.set_read_timeout(60, 0);
  UseAdminToken(client, platform.config().data_dir);
  return client;
}

// A ready embedded platform in a temp dir of its own and an admin client of it, the
// usual start of an integration test: `testing::ReadyPlatform ready;` then
// `auto& [dir, platform, client] = ready;`.
struct ReadyPlatform {
  TempDir dir;
  std::unique_ptr<services::Platform> platform = StartReadyPlatform(TestConfig(dir));
  httplib::Client client = HttpClient(*platform);
};

// A Kafka producer outside the platform, as a client that knows only the bootstrap
// address: the platform's settings and topics, the embedded cluster's address.
struct ExternalClient {
  ExternalClient(const services::Platform& platform, const std::string& client_id)
      : kafka(platform.config().kafka) {
    kafka.bootstrap_servers = platform.bootstrap_servers();
    auto created = events::Publisher::Create(kafka, client_id);
    if (!created.ok()) FAIL("publisher " << client_id << " not created: " << created.status().ToString());
    publisher = std::move(created).value();
  }

  events::KafkaSettings kafka;
  std::unique_ptr<events::Publisher> publisher;
};

}  // namespace rapport::testing
