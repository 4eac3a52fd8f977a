#pragma once
// Starts the whole platform the way `rapport up` does (embedded mock cluster, real
// RocksDB in a temp dir, HTTP on a free loopback port) for integration tests.

#include <memory>
#include <string>

#include <catch2/catch.hpp>
#include <httplib.h>

#include "services/platform/platform.h"
#include "services/platform/projection_registry.h"
#include "tests/support/temp_dir.h"

namespace rapport::testing {

inline services::Config TestConfig(const TempDir& dir) {
  services::Config config;
  config.data_dir = dir.str();
  config.listen = "127.0.0.1:0";
  config.kafka.session_timeout_ms = 6000;
  return config;
}

inline std::unique_ptr<services::Platform> StartEmbeddedPlatform(const services::Config& config) {
  services::Roles roles{.embedded_broker = true,
                        .gateway = true,
                        .query = true,
                        .projections = services::ProjectionNames()};
  auto platform = services::Platform::Start(config, roles);
  if (!platform.ok()) FAIL("platform did not start: " << platform.status().ToString());
  return std::move(platform).value();
}

inline httplib::Client HttpClient(const services::Platform& platform) {
  httplib::Client client("127.0.0.1", platform.http_port());
  client.set_read_timeout(60, 0);
  return client;
}

}  // namespace rapport::testing
