// The analysts' command-line values and the export formats: errors name the flag.

#include <sstream>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "events/json_codec.h"
#include "events/names.h"
#include "events/wire_codec.h"
#include "storage/journal.h"
#include "services/analyst/analyst_args.h"
#include "services/analyst/history_export.h"
#include "services/analyst/store_diff.h"
#include "tests/support/event_builders.h"
#include "tests/support/temp_dir.h"

namespace rapport {
namespace {

using services::ParseTimeFlag;

TEST_CASE("time flags take RFC 3339, a date or epoch ms; errors name the flag", "[services][analysts]") {
  CHECK(ParseTimeFlag("2026-03-01T00:00:00Z", "--as-known-at").value() == 1'772'323'200'000);
  CHECK(ParseTimeFlag("2026-03-01", "--as-known-at").value() == 1'772'323'200'000);
  CHECK(ParseTimeFlag("2026-03-01T01:00:00+01:00", "--to").value() == 1'772'323'200'000);
  CHECK(ParseTimeFlag("1772323200000", "--from").value() == 1'772'323'200'000);
  for (const char* bad : {"", "yesterday", "2026-13-01", "12a", "2026-03-01T25:00:00Z"}) {
    auto parsed = ParseTimeFlag(bad, "--as-happened-by");
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.status().field() == "--as-happened-by");
  }
}

TEST_CASE("to-offsets take partition:offset pairs, each partition once", "[services][analysts]") {
  auto parsed = services::ParseToOffsets("0:120,3:7", "--to-offsets");
  REQUIRE(parsed.ok());
  CHECK(parsed->size() == 2);
  CHECK(parsed->at(Partition(3)) == Offset(7));
  for (const char* bad : {"", "0", "0:", ":5", "a:1", "0:-1", "0:1,0:2", "0:1;1:2"}) {
    auto result = services::ParseToOffsets(bad, "--to-offsets");
    REQUIRE_FALSE(result.ok());
    CHECK(result.status().field() == "--to-offsets");
  }
}

TEST_CASE("export type and format flags name what they accept", "[services][analysts]") {
  auto types = services::ParseEventTypes("purchase,refund", "--type");
  REQUIRE(types.ok());
  CHECK(*types == std::set<events::EventType>{events::EventType::kPurchase, events::EventType::kRefund});
  auto typo = services::ParseEventTypes("purchse", "--type");
  REQUIRE_FALSE(typo.ok());
  CHECK(typo.status().field() == "--type");
  CHECK_THAT(typo.status().message(), Catch::Contains("purchse"));
  CHECK(services::ParseExportFormat("csv", "--format").value() == services::ExportFormat::kCsv);
  auto xml = services::ParseExportFormat("xml", "--format");
  REQUIRE_FALSE(xml.ok());
  CHECK(xml.status().field() == "--format");
}

TEST_CASE("CSV columns: the common fields, then each selected type's", "[services][analysts]") {
  const std::vector<std::string> common = {"event_id", "customer_id", "type", "occurred_at", "recorded_at", "channel",
                                           "agent_id"};
  auto purchase = services::CsvColumns({events::EventType::kPurchase});
  CHECK(std::vector<std::string>(purchase.begin(), purchase.begin() + 7) == common);
  CHECK(std::vector<std::string>(purchase.begin() + 7, purchase.end()) ==
        std::vector<std::string>{"order_id", "amount", "cost", "currency", "items", "category"});
  // Union: a field two types share is one column.
  auto both = services::CsvColumns({events::EventType::kPurchase, events::EventType::kRefund});
  CHECK(both == purchase);
  auto all = services::CsvColumns({});
  CHECK(std::count(all.begin(), all.end(), "category") == 1);
  CHECK(std::find(all.begin(), all.end(), "nps") != all.end());
}

struct ExportFixture {
  ExportFixture() {
    auto opened = projections::Journal::Open(dir.path() / "journal", projections::OpenMode::kReadWrite);
    REQUIRE(opened.ok());
    journal = std::move(opened).value();
    events.push_back(testing::Purchase("c-2", testing::Day(3), 700));
    events.push_back(testing::Registered("c-1", testing::Day(1), "Doe, \"Jo\""));
    events.push_back(testing::Purchase("c-1", testing::Day(2), 1200));
    events.push_back(testing::Base("c-1", testing::Day(4), events::Refund{"o-1", 200}));
    std::vector<projections::JournalEntry> entries;
    int64_t offsets[2] = {0, 0};
    for (const auto& e : events) {
      const int p = e.customer_id.str() == "c-1" ? 0 : 1;
      entries.push_back({Partition(p), Offset(offsets[p]++), e.customer_id.str(), events::EncodeWire(e),
                         e.occurred_at_ms, std::string(events::Name(e.type()))});
    }
    REQUIRE(journal->Append(entries, false).ok());
  }
  std::string Export(const services::ExportRequest& request) {
    std::ostringstream out;
    auto stats = services::ExportHistory(*journal, request, out);
    REQUIRE(stats.ok());
    return out.str();
  }
  testing::TempDir dir;
  std::unique_ptr<projections::Journal> journal;
  std::vector<events::Event> events;
};

TEST_CASE("JSON Lines export is the gateway's JSON, in event-time order, filtered", "[services][analysts]") {
  ExportFixture f;
  const std::string all = f.Export({});
  auto batch = events::DecodeNdjson(all, 100);
  REQUIRE_FALSE(batch.error);
  REQUIRE(batch.events.size() == 4);
  CHECK(batch.events[0] == f.events[1]);  // day 1
  CHECK(batch.events[1] == f.events[2]);
  CHECK(batch.events[2] == f.events[0]);
  CHECK(batch.events[3] == f.events[3]);

  services::ExportRequest some;
  some.customer_id = "c-1";
  some.from_ms = testing::Day(2);
  some.to_ms = testing::Day(4);
  some.types = {events::EventType::kPurchase, events::EventType::kRefund};
  auto filtered = events::DecodeNdjson(f.Export(some), 100);
  REQUIRE(filtered.events.size() == 2);
  CHECK(filtered.events[0] == f.events[2]);
  CHECK(filtered.events[1] == f.events[3]);
}

TEST_CASE("CSV export quotes per RFC 4180 and leaves other types' columns empty", "[services][analysts]") {
  ExportFixture f;
  services::ExportRequest request;
  request.format = services::ExportFormat::kCsv;
  request.types = {events::EventType::kCustomerRegistered, events::EventType::kRefund};
  const std::string csv = f.Export(request);
  std::istringstream lines(csv);
  std::string header, first, second, extra;
  std::getline(lines, header);
  std::getline(lines, first);
  std::getline(lines, second);
  CHECK_FALSE(std::getline(lines, extra));
  CHECK(header ==
        "event_id,customer_id,type,occurred_at,recorded_at,channel,agent_id,display_name,email,phone,region,"
        "postal_code,age_band,wallet_estimate,order_id,amount\r");
  CHECK_THAT(first, Catch::Contains(",customer_registered,") && Catch::Contains(",\"Doe, \"\"Jo\"\"\","));
  CHECK_THAT(second, Catch::Contains(",c-1,refund,"));
  CHECK_THAT(second, Catch::EndsWith(",o-1,200\r"));
}

TEST_CASE("JSON diff lists every differing leaf with its path", "[services][analysts]") {
  auto a = nlohmann::json::parse(R"({"state":"current","rfm":{"r":3,"f":1},"tags":[1,2],"only_a":true})");
  auto b = nlohmann::json::parse(R"({"state":"lost","rfm":{"r":3,"f":2},"tags":[1],"only_b":null})");
  auto diff = services::DiffJson(a, b);
  std::map<std::string, services::FieldDifference> by_path;
  for (const auto& d : diff) by_path[d.path] = d;
  CHECK(by_path.size() == 5);
  CHECK(by_path.at("$.state").right == "lost");
  CHECK(by_path.at("$.rfm.f").left == 1);
  CHECK_FALSE(by_path.at("$.tags[1]").right_present);
  CHECK_FALSE(by_path.at("$.only_a").right_present);
  CHECK_FALSE(by_path.at("$.only_b").left_present);
  CHECK(services::FormatDifference(by_path.at("$.tags[1]")) == "  $.tags[1]: 2 -> (absent)");
  CHECK(services::DiffJson(a, a).empty());
}

}  // namespace
}  // namespace rapport
