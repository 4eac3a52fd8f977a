// The analysts' subcommands as the binary parses them: bad values fail with exit
// status 2 and an error naming the flag; a replay, a diff and an export run end to
// end over a real journal.

#include <fstream>
#include <sstream>

#include <catch2/catch.hpp>

#include "events/names.h"
#include "events/wire_codec.h"
#include "storage/journal.h"
#include "services/analyst/analyst_cli.h"
#include "tests/support/event_builders.h"
#include "tests/support/temp_dir.h"

namespace rapport {
namespace {

struct CliRun {
  int code = -1;
  std::string err;
};

CliRun RunCli(std::vector<std::string> args) {
  CLI::App app;
  app.require_subcommand(1);
  services::AnalystCommands commands(app);
  std::reverse(args.begin(), args.end());  // CLI11 takes a vector last argument first
  app.parse(args);
  std::ostringstream capture;
  auto* old = std::cerr.rdbuf(capture.rdbuf());
  auto code = commands.Run();
  std::cerr.rdbuf(old);
  return {code.value_or(-1), capture.str()};
}

void WriteJournal(const std::filesystem::path& data_dir) {
  auto journal = projections::Journal::Open(data_dir / "journal", projections::OpenMode::kReadWrite);
  REQUIRE(journal.ok());
  std::vector<projections::JournalEntry> entries;
  int64_t offset = 0;
  for (const auto& e : {testing::Purchase("c-1", testing::Day(1), 100), testing::Purchase("c-2", testing::Day(2), 200),
                        testing::Purchase("c-1", testing::Day(3), 300)}) {
    entries.push_back({Partition(0), Offset(offset++), e.customer_id.str(), events::EncodeWire(e), e.occurred_at_ms,
                       std::string(events::Name(e.type()))});
  }
  REQUIRE((*journal)->Append(entries, false).ok());
}

TEST_CASE("bad analyst arguments exit with 2 and name the flag", "[services][analysts]") {
  testing::TempDir dir;
  WriteJournal(dir.path());
  const std::string data = dir.str();
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"replay", "customer-view", "--data-dir", data, "--as-known-at", "yesterday"}, "--as-known-at"},
      {{"replay", "customer-view", "--data-dir", data, "--as-happened-by", "2026-02-30"}, "--as-happened-by"},
      {{"replay", "customer-view", "--data-dir", data, "--to-offsets", "0:x"}, "--to-offsets"},
      {{"replay", "no-such", "--data-dir", data}, "projection"},
      {{"replay", "customer-view", "--data-dir", data, "--into", data}, "into"},
      {{"replay", "customer-view", "--data-dir", (dir.path() / "nowhere").string()}, "data-dir"},
      {{"export", "--data-dir", data, "--format", "xml"}, "--format"},
      {{"export", "--data-dir", data, "--format", "csv", "--type", "purchase,visits"}, "--type"},
      {{"export", "--data-dir", data, "--format", "csv", "--from", "2026-03-02", "--to", "2026-03-01"}, "--to"},
      {{"diff", data, data, "--projection", "no-such"}, "--projection"},
  };
  for (const auto& [args, flag] : cases) {
    INFO(args[0] << " ... " << args.back());
    auto run = RunCli(args);
    CHECK(run.code == 2);
    CHECK_THAT(run.err, Catch::Contains(flag + ":"));
  }
}

TEST_CASE("replay, diff and export run end to end from the command line", "[services][analysts]") {
  testing::TempDir dir;
  WriteJournal(dir.path());
  const std::string data = dir.str();
  const std::string out = (dir.path() / "out").string();
  CHECK(RunCli({"replay", "customer-view", "--data-dir", data, "--into", out}).code == 0);
  CHECK(std::filesystem::exists(dir.path() / "out" / "customer-view" / "CURRENT"));
  CHECK(RunCli({"diff", out, out}).code == 0);

  const std::string cut = (dir.path() / "cut").string();
  CHECK(RunCli({"replay", "customer-view", "--data-dir", data, "--as-happened-by", std::to_string(testing::Day(2)),
                "--into", cut}).code == 0);
  CHECK(RunCli({"diff", out, cut}).code == 1);  // c-1's second purchase is cut

  const auto file = dir.path() / "history.csv";
  CHECK(RunCli({"export", "--data-dir", data, "--format", "csv", "--customer", "c-1", "--out", file.string()}).code == 0);
  std::ifstream in(file);
  std::string line;
  int lines = 0;
  while (std::getline(in, line)) ++lines;
  CHECK(lines == 3);  // header + c-1's two purchases
}

}  // namespace
}  // namespace rapport
