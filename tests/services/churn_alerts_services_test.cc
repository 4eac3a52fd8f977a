// Churn alert settings in the config file, webhook URLs, the alert endpoints'
// parameter checks over a real store, and the CLI's line format.

#include <catch2/catch.hpp>
#include <fstream>

#include "projections/churn/churn_projection.h"
#include "services/alerts/alert_follow.h"
#include "projections/churn/churn_routes.h"
#include "services/alerts/alert_webhooks.h"
#include "services/config/config.h"
#include "services/platform/projection_registry.h"
#include "tests/support/event_builders.h"
#include "tests/support/temp_dir.h"

namespace rapport::services {
namespace {

using namespace rapport::projections;  // the presenters live in the projection folders

TEST_CASE("config: churn settings and webhooks bind under domain.churn", "[config][churn]") {
  testing::TempDir dir;
  auto path = dir.path() / "config.yaml";
  std::ofstream(path) << "domain:\n  churn:\n    complaint_count: 5\n    overdue_interval_factor: 2.5\n"
                         "    webhooks:\n      urls: http://a:1/x,http://b/y\n      max_attempts: 2\n";
  Config config;
  REQUIRE(LoadConfigFile(path, config).ok());
  CHECK(config.domain.churn.complaint_count == 5);
  CHECK(config.domain.churn.overdue_interval_factor == 2.5);
  CHECK(config.domain.churn.webhook_urls == "http://a:1/x,http://b/y");
  CHECK(config.domain.churn.webhook_max_attempts == 2);
  CHECK(config.domain.churn.complaint_window_days == 30);  // untouched default

  std::ofstream(path) << "domain:\n  churn:\n    complaint_count: many\n";
  Config bad;
  Status status = LoadConfigFile(path, bad);
  CHECK(status.field() == "domain.churn.complaint_count");
}

TEST_CASE("the churn projection refuses impossible settings at start, naming them", "[churn]") {
  testing::TempDir dir;
  auto store = projections::Store::Open(dir.path() / "churn", projections::OpenMode::kReadWrite);
  REQUIRE(store.ok());
  projections::DomainSettings settings;
  settings.churn.complaint_window_days = 0;
  auto made = MakeProjection("churn", **store, settings);
  REQUIRE(!made.ok());
  CHECK(made.status().field() == "domain.churn.complaint_window_days");
  CHECK(MakeProjection("churn", **store, projections::DomainSettings{}).ok());
}

TEST_CASE("webhook URLs parse into host, port and path; bad ones name the setting", "[churn]") {
  auto urls = ParseWebhookUrls("http://127.0.0.1:8099/hooks/churn,http://example.org");
  REQUIRE(urls.ok());
  REQUIRE(urls->size() == 2);
  CHECK((*urls)[0].host == "127.0.0.1");
  CHECK((*urls)[0].port == 8099);
  CHECK((*urls)[0].path == "/hooks/churn");
  CHECK((*urls)[1].port == 80);
  CHECK((*urls)[1].path == "/");
  CHECK(ParseWebhookUrls("")->empty());
  CHECK(ParseWebhookUrls("ftp://x").status().field() == "domain.churn.webhooks.urls");
  auto https = ParseWebhookUrls("https://hooks.example.com/churn");
  REQUIRE(https.ok());
  CHECK((*https)[0].https);
  CHECK((*https)[0].port == 443);
  CHECK(ParseWebhookUrls("http://x:99999/").status().field() == "domain.churn.webhooks.urls");
}

TEST_CASE("rapport alerts: tier lists and one readable line per alert", "[churn]") {
  auto tiers = ParseTierList("A,B");
  REQUIRE(tiers.ok());
  CHECK(*tiers == std::set<projections::Tier>{projections::Tier::kA, projections::Tier::kB});
  CHECK(ParseTierList("A,X").status().field() == "--tier");

  projections::AlertEvent alert;
  alert.alert_id = "al-1";
  alert.customer_id = "c-42";
  alert.at_ms = 1'772'360'100'000;  // 2026-03-01T10:15:00Z
  alert.tier = projections::Tier::kA;
  alert.risk_score = 0.5;
  alert.reasons = {
      {projections::ChurnReason::kOverdue, "41 days since last purchase, usual interval 14", 41, 28}};
  alert.action = std::string(projections::RecommendedAction(projections::Tier::kA));
  CHECK(
      AlertLine(alert) ==
      "2026-03-01T10:15:00Z raised  al-1 c-42 tier A risk 0.50: overdue (41 days since last purchase, usual "
      "interval 14) -> win back now: senior agent contact within 24 h");
  alert.kind = projections::AlertKind::kCleared;
  alert.cleared_by = "purchase";
  alert.triggering_event_id = "e-9";
  CHECK(AlertLine(alert) == "2026-03-01T10:15:00Z cleared al-1 c-42 by purchase e-9");
}

TEST_CASE("alert endpoints check their parameters and page through a real store", "[churn]") {
  CHECK(ListAlertsResponse(nullptr, {}).status == 503);
  testing::TempDir dir;
  auto opened = projections::Store::Open(dir.path() / "churn", projections::OpenMode::kReadWrite);
  REQUIRE(opened.ok());
  auto& store = **opened;
  {
    auto projection = projections::ChurnProjection::Create(store, {}, {1, false, nullptr});
    REQUIRE(projection.ok());
    using testing::Day;
    for (const char* c : {"c-1", "c-2", "c-3"}) {
      for (int d : {0, 10}) {
        REQUIRE((*projection)->Apply(testing::Purchase(c, Day(d), 100), {Partition(0), Offset(0)}).ok());
      }
    }
    REQUIRE((*projection)->AdvanceEventTime(Day(60)).ok());
    rocksdb::WriteBatch batch;
    REQUIRE((*projection)->Checkpoint(batch).ok());
    REQUIRE(store.Write(batch).ok());
  }
  auto page = [&](QueryParams params) {
    return nlohmann::json::parse(ListAlertsResponse(&store, params).body);
  };
  auto first = page({{"limit", "2"}});
  REQUIRE(first["alerts"].size() == 2);
  REQUIRE(first["next_cursor"].is_string());
  auto second = page({{"limit", "2"}, {"cursor", first["next_cursor"].get<std::string>()}});
  CHECK(second["alerts"].size() == 1);
  CHECK(second["next_cursor"].is_null());
  CHECK(page({{"status", "cleared"}})["alerts"].empty());
  CHECK(page({{"tier", "D"}})["alerts"].size() + page({{"tier", "A"}})["alerts"].size() +
            page({{"tier", "B"}})["alerts"].size() + page({{"tier", "C"}})["alerts"].size() ==
        3);
  CHECK(page({{"since", "2100-01-01T00:00:00Z"}})["alerts"].empty());

  auto bad = ListAlertsResponse(&store, {{"status", "maybe"}});
  CHECK(bad.status == 400);
  CHECK(nlohmann::json::parse(bad.body)["field"] == "status");
  CHECK(nlohmann::json::parse(ListAlertsResponse(&store, {{"limit", "0"}}).body)["field"] == "limit");
  CHECK(nlohmann::json::parse(ListAlertsResponse(&store, {{"since", "yesterday"}}).body)["field"] == "since");
  CHECK(nlohmann::json::parse(ListAlertsResponse(&store, {{"colour", "red"}}).body)["field"] == "colour");
  CHECK(ChurnStatsResponse(&store, {{"period", "year"}}).status == 400);
  CHECK(ChurnStatsResponse(&store, {{"period", "month"}, {"tier", "B"}}).status == 200);
  auto mine = nlohmann::json::parse(CustomerAlertsResponse(&store, "c-2").body);
  CHECK(mine["alerts"].size() == 1);
}

}  // namespace
}  // namespace rapport::services
