// Where client subcommands find Kafka: --brokers first, else the bootstrap file a
// running `rapport up` wrote into the same data dir.

#include <fstream>

#include <catch2/catch.hpp>

#include "services/platform/broker_lookup.h"
#include "services/platform/platform.h"
#include "tests/support/temp_dir.h"

namespace rapport {
namespace {

using services::BootstrapFile;
using services::Config;
using services::ResolveBrokers;

void WriteBootstrapFile(const Config& config, const std::string& text) {
  std::ofstream out(BootstrapFile(config), std::ios::trunc);
  out << text;
}

TEST_CASE("brokers given are kept even when a bootstrap file exists", "[services][brokers]") {
  testing::TempDir dir;
  Config config;
  config.data_dir = dir.str();
  config.brokers = "kafka-1:9092";
  WriteBootstrapFile(config, "127.0.0.1:4000\n");
  ResolveBrokers(config);
  CHECK(config.brokers == "kafka-1:9092");
  CHECK(config.kafka.bootstrap_servers == "kafka-1:9092");
}

TEST_CASE("without brokers the first line of the bootstrap file is used", "[services][brokers]") {
  testing::TempDir dir;
  Config config;
  config.data_dir = dir.str();
  WriteBootstrapFile(config, "127.0.0.1:4000,127.0.0.1:4001\nsecond line\n");
  ResolveBrokers(config);
  CHECK(config.brokers == "127.0.0.1:4000,127.0.0.1:4001");
  CHECK(config.kafka.bootstrap_servers == "127.0.0.1:4000,127.0.0.1:4001");
}

TEST_CASE("without brokers or bootstrap file the brokers stay empty", "[services][brokers]") {
  testing::TempDir dir;
  Config config;
  config.data_dir = dir.str();
  config.kafka.bootstrap_servers = "stale:1";
  ResolveBrokers(config);
  CHECK(config.brokers.empty());
  CHECK(config.kafka.bootstrap_servers.empty());
}

}  // namespace
}  // namespace rapport
