// Where client subcommands find Kafka: --brokers first, else the bootstrap file a
// running `rapport up` wrote into the same data dir.

#include <fstream>
#include <optional>
#include <string>

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

// `given` with its data dir in `dir`, after ResolveBrokers; a bootstrap file holding
// `file` is written there first when there is one.
Config ResolvedIn(const testing::TempDir& dir, Config given, const std::optional<std::string>& file) {
  given.data_dir = dir.str();
  if (file) WriteBootstrapFile(given, *file);
  ResolveBrokers(given);
  return given;
}

TEST_CASE("brokers given are kept even when a bootstrap file exists", "[services][brokers]") {
  testing::TempDir dir;
  Config given;
  given.brokers = "kafka-1:9092";
  const Config config = ResolvedIn(dir, given, "127.0.0.1:4000\n");
  CHECK(config.brokers == "kafka-1:9092");
  CHECK(config.kafka.bootstrap_servers == "kafka-1:9092");
}

TEST_CASE("without brokers the first line of the bootstrap file is used", "[services][brokers]") {
  testing::TempDir dir;
  const Config config = ResolvedIn(dir, Config{}, "127.0.0.1:4000,127.0.0.1:4001\nsecond line\n");
  CHECK(config.brokers == "127.0.0.1:4000,127.0.0.1:4001");
  CHECK(config.kafka.bootstrap_servers == "127.0.0.1:4000,127.0.0.1:4001");
}

TEST_CASE("without brokers or bootstrap file the brokers stay empty", "[services][brokers]") {
  testing::TempDir dir;
  Config given;
  given.kafka.bootstrap_servers = "stale:1";
  const Config config = ResolvedIn(dir, given, std::nullopt);
  CHECK(config.brokers.empty());
  CHECK(config.kafka.bootstrap_servers.empty());
}

}  // namespace
}  // namespace rapport
