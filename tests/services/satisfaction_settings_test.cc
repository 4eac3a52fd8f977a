// The satisfaction and loyalty settings are bound by their dotted names, and the
// trend query parameters are checked, each error naming the parameter.

#include <catch2/catch.hpp>
#include <fstream>

#include "services/config/config.h"
#include "projections/satisfaction/satisfaction_routes.h"
#include "tests/support/temp_dir.h"

namespace rapport::services {
namespace {

using namespace rapport::projections;  // the presenters live in the projection folders

TEST_CASE("config: satisfaction and loyalty settings by their dotted names",
          "[config][satisfaction][loyalty]") {
  testing::TempDir dir;
  const auto path = dir.path() / "config.yaml";
  std::ofstream(path) << "domain:\n"
                         "  satisfaction:\n    gap_half_life_days: 14\n    trend_buckets: 12\n"
                         "    trend_threshold:\n      nps: 2.5\n"
                         "  loyalty:\n    window_days: 180\n    weights:\n      share_of_wallet: 0.4\n";
  Config config;
  REQUIRE(LoadConfigFile(path, config).ok());
  CHECK(config.domain.satisfaction.gap_half_life_days == 14);
  CHECK(config.domain.satisfaction.trend_buckets == 12);
  CHECK(config.domain.satisfaction.trend_threshold.nps == 2.5);
  CHECK(config.domain.satisfaction.repurchase_window_days == 90);  // untouched default
  CHECK(config.domain.loyalty.window_days == 180);
  CHECK(config.domain.loyalty.weights.share_of_wallet == 0.4);
  CHECK(config.domain.loyalty.weights.tenure == 0.15);

  SettingsBinder binder;
  BindConfig(binder, config);
  const auto dump = binder.Dump();
  for (const char* name :
       {"domain.satisfaction.repurchase_window_days", "domain.satisfaction.trend_threshold.csat",
        "domain.loyalty.frequency_target", "domain.loyalty.weights.resolution_acceptance"}) {
    INFO(name);
    CHECK(dump.count(name) == 1);
  }
  std::ofstream(path) << "domain:\n  loyalty:\n    weights:\n      tenure: much\n";
  Status bad = LoadConfigFile(path, config);
  CHECK(bad.field() == "domain.loyalty.weights.tenure");
}

TEST_CASE("trend query: defaults, dates and times, and errors naming the parameter", "[satisfaction]") {
  auto query = ParseSatisfactionTrendQuery({});
  REQUIRE(query.ok());
  CHECK_FALSE(query->weeks);
  CHECK_FALSE(query->from_day.has_value());
  query = ParseSatisfactionTrendQuery({{"bucket", "week"},
                                       {"channel", "web"},
                                       {"tier", "B"},
                                       {"from", "2025-03-01"},
                                       {"to", "2025-03-31T23:00:00Z"}});
  REQUIRE(query.ok());
  CHECK(query->weeks);
  CHECK(query->channel == events::Channel::kWeb);
  CHECK(query->tier == projections::Tier::kB);
  CHECK(*query->from_day == 20148);  // 2025-03-01
  CHECK(*query->to_day == 20178);
  CHECK(ParseSatisfactionTrendQuery({{"bucket", "hour"}}).status().field() == "bucket");
  CHECK(ParseSatisfactionTrendQuery({{"channel", "fax"}}).status().field() == "channel");
  CHECK(ParseSatisfactionTrendQuery({{"tier", "E"}}).status().field() == "tier");
  CHECK(ParseSatisfactionTrendQuery({{"from", "soon"}}).status().field() == "from");
  CHECK(ParseSatisfactionTrendQuery({{"to", ""}}).status().field() == "to");
  CHECK(ParseSatisfactionTrendQuery({{"from", "2025-03-02"}, {"to", "2025-03-01"}}).status().field() ==
        "from");
  CHECK(ParseSatisfactionTrendQuery({{"limit", "5"}}).status().field() == "limit");
}

}  // namespace
}  // namespace rapport::services
