#include <catch2/catch.hpp>
#include <fstream>

#include "services/config/config.h"
#include "services/model/model_parameters_cache.h"
#include "tests/support/temp_dir.h"

namespace rapport::services {
namespace {

TEST_CASE("config: the model parameters topic and refresh period are settings", "[model_settings]") {
  testing::TempDir dir;
  const auto path = dir.path() / "config.yaml";
  std::ofstream(path) << "kafka:\n  topics:\n    model_parameters: my.models\nmodel:\n  refresh_seconds: 5\n";
  Config config;
  CHECK(config.kafka.topics.model_parameters == "rapport.model-parameters");
  CHECK(config.model.refresh_seconds == 60);
  REQUIRE(LoadConfigFile(path, config).ok());
  CHECK(config.kafka.topics.model_parameters == "my.models");
  CHECK(config.model.refresh_seconds == 5);
}

TEST_CASE("a refresh period below 1 second is rejected naming the setting", "[model_settings]") {
  events::KafkaSettings kafka;
  kafka.bootstrap_servers = "127.0.0.1:1";
  for (int seconds : {0, -5}) {
    auto cache = ModelParametersCache::Start(kafka, ModelSettings{.refresh_seconds = seconds});
    REQUIRE_FALSE(cache.ok());
    CHECK(cache.status().field() == "model.refresh_seconds");
  }
}

}  // namespace
}  // namespace rapport::services
