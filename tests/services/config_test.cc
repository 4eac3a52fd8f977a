#include <fstream>

#include <catch2/catch.hpp>

#include "services/config/config.h"
#include "services/config/settings_binder.h"
#include "tests/support/temp_dir.h"

namespace rapport::services {
namespace {

std::filesystem::path WriteFile(const testing::TempDir& dir, const std::string& text) {
  auto path = dir.path() / "config.yaml";
  std::ofstream(path) << text;
  return path;
}

TEST_CASE("config: a YAML file sets nested settings by their dotted names", "[config]") {
  testing::TempDir dir;
  Config config;
  auto path = WriteFile(dir,
                        "listen: 0.0.0.0:9090\n"
                        "kafka:\n  topics:\n    interactions: my.events\n  client_properties:\n"
                        "    security.protocol: SASL_SSL\n"
                        "domain:\n  lifecycle:\n    stability_min_purchases: 6\n    decline_ratio: 0.4\n");
  REQUIRE(LoadConfigFile(path, config).ok());
  CHECK(config.listen == "0.0.0.0:9090");
  CHECK(config.kafka.topics.interactions == "my.events");
  CHECK(config.kafka.client_properties.at("security.protocol") == "SASL_SSL");
  CHECK(config.domain.lifecycle.stability_min_purchases == 6);
  CHECK(config.domain.lifecycle.decline_ratio == 0.4);
  CHECK(config.domain.lifecycle.stability_min_tenure_days == 180);  // untouched default
}

TEST_CASE("config: an unknown key is an error naming it", "[config]") {
  testing::TempDir dir;
  Config config;
  Status status = LoadConfigFile(WriteFile(dir, "domain:\n  lifecycle:\n    stabilty_min_purchases: 6\n"), config);
  CHECK(status.code() == StatusCode::kInvalidArgument);
  CHECK(status.field() == "domain.lifecycle.stabilty_min_purchases");
}

TEST_CASE("config: a malformed value is an error naming the key and the value", "[config]") {
  testing::TempDir dir;
  Config config;
  Status status = LoadConfigFile(WriteFile(dir, "gateway:\n  max_batch_events: lots\n"), config);
  CHECK(status.field() == "gateway.max_batch_events");
  CHECK(status.message().find("lots") != std::string::npos);
}

TEST_CASE("config: a broken YAML file is an error, not a crash", "[config]") {
  testing::TempDir dir;
  Config config;
  CHECK_FALSE(LoadConfigFile(WriteFile(dir, "listen: [unclosed\n"), config).ok());
  CHECK_FALSE(LoadConfigFile(dir.path() / "missing.yaml", config).ok());
}

TEST_CASE("config: host:port parsing names the field on error", "[config]") {
  CHECK(ParseHostPort("127.0.0.1:8080", "listen")->port == 8080);
  CHECK(ParseHostPort("localhost:0", "listen")->host == "localhost");
  CHECK(ParseHostPort("nohost", "listen").status().field() == "listen");
  CHECK_FALSE(ParseHostPort("h:99999", "listen").ok());
  CHECK_FALSE(ParseHostPort("h:80x", "listen").ok());
}

TEST_CASE("config: ingest.max_future_skew is a duration with its unit, 1h by default", "[config]") {
  testing::TempDir dir;
  Config config;
  CHECK(config.gateway.max_future_skew_ms == 3'600'000);
  REQUIRE(LoadConfigFile(WriteFile(dir, "ingest:\n  max_future_skew: 90s\n"), config).ok());
  CHECK(config.gateway.max_future_skew_ms == 90'000);
  REQUIRE(LoadConfigFile(WriteFile(dir, "ingest:\n  max_future_skew: 250ms\n"), config).ok());
  CHECK(config.gateway.max_future_skew_ms == 250);
  REQUIRE(LoadConfigFile(WriteFile(dir, "ingest:\n  max_future_skew: 2h\n"), config).ok());
  CHECK(config.gateway.max_future_skew_ms == 7'200'000);
  SettingsBinder binder;
  BindConfig(binder, config);
  CHECK(binder.Dump().at("ingest.max_future_skew") == "2h");
  for (const char* bad : {"3600", "-1h", "1d", "h", "1.5h"}) {
    INFO(bad);
    Status status = LoadConfigFile(WriteFile(dir, std::string("ingest:\n  max_future_skew: \"") + bad + "\"\n"),
                                   config);
    CHECK(status.field() == "ingest.max_future_skew");
    CHECK_THAT(status.message(), Catch::Contains("duration"));
  }
}

}  // namespace
}  // namespace rapport::services
