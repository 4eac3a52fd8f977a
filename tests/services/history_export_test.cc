// The CSV export neutralises formula cells (OWASP "CSV injection").

#include <sstream>

#include <catch2/catch.hpp>

#include "events/json_codec.h"
#include "services/analyst/history_export.h"
#include "tests/support/journal_entries.h"
#include "tests/support/temp_dir.h"

namespace rapport::services {
namespace {

TEST_CASE("csv: a text cell starting with = + - @ gets a leading quote", "[export][csv]") {
  CHECK(NeutralisedCsvText("=HYPERLINK(\"http://x\")") == "'=HYPERLINK(\"http://x\")");
  CHECK(NeutralisedCsvText("+31 20 555") == "'+31 20 555");
  CHECK(NeutralisedCsvText("-2+3") == "'-2+3");
  CHECK(NeutralisedCsvText("@SUM(A1)") == "'@SUM(A1)");
  CHECK(NeutralisedCsvText("\tcmd") == "'\tcmd");
  CHECK(NeutralisedCsvText("shoes") == "shoes");
  CHECK(NeutralisedCsvText("a=b") == "a=b");
  CHECK(NeutralisedCsvText("").empty());
}

TEST_CASE("csv: an export of the journal writes formula-like text as text", "[export][csv]") {
  testing::TempDir dir;
  testing::GatewayEntries entries(1);
  auto registered = events::DecodeJsonEvent(
      R"({"event_id":"r","customer_id":"c-1","occurred_at":1000,"channel":"web","type":"customer_registered",)"
      R"("display_name":"=cmd|' /C calc'!A0","email":"@evil","phone":"+1 555","region":"-north"})");
  REQUIRE(registered.ok());
  auto purchase = events::DecodeJsonEvent(
      R"({"event_id":"p","customer_id":"c-1","occurred_at":2000,"channel":"web","type":"purchase",)"
      R"("order_id":"o-1","amount":100,"currency":"EUR","category":"=1+1"})");
  REQUIRE(purchase.ok());
  testing::WriteNewJournal(dir.path(), {entries.Next(*registered), entries.Next(*purchase)});
  auto journal = projections::Journal::Open(dir.path() / "journal", projections::OpenMode::kReadOnly);
  REQUIRE(journal.ok());

  std::ostringstream out;
  ExportRequest request;
  request.format = ExportFormat::kCsv;
  auto stats = ExportHistory(**journal, request, out);
  REQUIRE(stats.ok());
  CHECK(stats->written == 2);
  const std::string csv = out.str();
  CHECK_THAT(csv, Catch::Contains(",'=cmd|' /C calc'!A0,'@evil,'+1 555,'-north,"));
  CHECK_THAT(csv, Catch::Contains(",o-1,100,0,EUR,1,'=1+1"));
  // No cell starts with a formula character.
  std::istringstream lines(csv);
  for (std::string line; std::getline(lines, line);) {
    for (const char* danger : {",=", ",+", ",-", ",@"}) {
      INFO(line);
      CHECK(line.find(danger) == std::string::npos);
    }
  }
}

}  // namespace
}  // namespace rapport::services
