// A replay that ingests its checkpoints as sorted SST files (the default,
// storage/bulk_ingest.h) builds the same store, byte for byte per key in every
// family, as one that writes WriteBatches, for every projection; stopped and
// resumed it still does.

#include <catch2/catch.hpp>

#include "storage/journal.h"
#include "services/platform/projection_registry.h"
#include "services/analyst/replay.h"
#include "services/ingest/sample_data.h"
#include "tests/support/journal_entries.h"
#include "tests/support/temp_dir.h"
#include "tests/support/store_contents.h"

namespace rapport {
namespace {

using testing::Contents;
using testing::RequireSameStores;

using projections::Family;
using projections::Store;

// The sample population (merges, erasures, surveys, every type) journaled as the
// gateway does, 4 partitions by customer, plus one record that does not decode.
// Returns the number of entries.
size_t WriteJournal(const std::filesystem::path& data_dir) {
  services::SampleOptions sample;
  sample.customers = 300;
  const auto history = services::GenerateSampleHistory(sample);
  testing::GatewayEntries make(4);
  std::vector<projections::JournalEntry> entries;
  for (const auto& e : history) entries.push_back(make.Next(e));
  // A retried publish: the same event again, later in its partition.
  const auto& again = history[history.size() / 3];
  entries.push_back(make.Next(again));
  entries.push_back(make.Raw(again.customer_id.str(), "not a flatbuffer", again.occurred_at_ms, "purchase"));
  testing::WriteNewJournal(data_dir, entries);
  return entries.size();
}

// Checkpoints every 1,000 records either way: bulk folds 4 batches of 250 and
// ingests them (several ingestions, each overlapping the ones before); ordinary
// writes a WriteBatch per batch of 1,000. Same boundaries, because the satisfaction
// fold reads the tier ranking rebuilt at checkpoints; with ranking_time_share 1 the
// wall clock never postpones a rebuild, so two runs rank at the same points.
services::ReplayRequest Request(const std::filesystem::path& data_dir, const std::string& projection,
                                const std::filesystem::path& into, bool bulk) {
  services::ReplayRequest request;
  request.projection = projection;
  request.data_dir = data_dir;
  request.into = into;
  request.batch_events = bulk ? 250 : 1000;
  request.bulk_ingest = bulk;
  request.ingest_events = 1000;
  request.config.domain.value.ranking_time_share = 1.0;
  return request;
}

TEST_CASE("a bulk-ingested replay equals an ordinary one, byte for byte per key", "[integration][replay][bulk]") {
  testing::TempDir dir;
  WriteJournal(dir.path());
  for (const std::string& name : services::ProjectionNames()) {
    DYNAMIC_SECTION(name) {
      auto ordinary = services::RunReplay(Request(dir.path(), name, dir.path() / "ordinary", false));
      REQUIRE(ordinary.ok());
      auto bulk = services::RunReplay(Request(dir.path(), name, dir.path() / "bulk", true));
      REQUIRE(bulk.ok());
      REQUIRE(bulk->complete);
      CHECK(bulk->applied == ordinary->applied);
      CHECK(bulk->applied > 3000);
      CHECK(bulk->duplicates == 1);
      CHECK(bulk->dead_lettered == 1);
      RequireSameStores(ordinary->store_dir, bulk->store_dir);
    }
  }
}

TEST_CASE("a bulk-ingested replay stopped between ingestions and resumed equals one run", "[integration][replay][bulk]") {
  testing::TempDir dir;
  WriteJournal(dir.path());
  auto one = services::RunReplay(Request(dir.path(), "customer-view", dir.path() / "one", true));
  REQUIRE(one.ok());

  std::atomic<bool> stop{false};
  services::ReplayControl control;
  control.stop = &stop;
  control.on_progress = [&](const services::ReplayProgress& progress) {
    if (progress.done >= progress.total / 2) stop = true;  // mid-way between two ingestions
  };
  auto first = services::RunReplay(Request(dir.path(), "customer-view", dir.path() / "two", true), control);
  REQUIRE(first.ok());
  REQUIRE_FALSE(first->complete);
  auto second = services::RunReplay(Request(dir.path(), "customer-view", dir.path() / "two", true));
  REQUIRE(second.ok());
  REQUIRE(second->complete);
  CHECK(second->resumed);
  CHECK(first->read_this_run + second->read_this_run == one->read);
  CHECK(second->applied == one->applied);
  RequireSameStores(one->store_dir, second->store_dir);
}

TEST_CASE("a journal its writer closed leaves no write-ahead log for a replay to read back",
          "[integration][replay][journal]") {
  testing::TempDir dir;
  const size_t written = WriteJournal(dir.path());  // opened, appended to, closed
  uintmax_t log_bytes = 0;
  for (const auto& file : std::filesystem::directory_iterator(dir.path() / "journal")) {
    if (file.path().extension() == ".log") log_bytes += file.file_size();
  }
  CHECK(log_bytes == 0);  // flushed into SST files on close
  auto replay = services::RunReplay(Request(dir.path(), "customer-view", dir.path() / "out", true));
  REQUIRE(replay.ok());
  CHECK(replay->read == static_cast<int64_t>(written));
}

}  // namespace
}  // namespace rapport
