// The durable copies on disk (real RocksDB in temp dirs): the topic log keeps what
// compaction would leave and a tombstone's bytes leave its files; the journal's
// append is idempotent by (customer, event id), and its readers see each event of
// an older journal with duplicates once.

#include <catch2/catch.hpp>
#include <fstream>
#include <iterator>
#include <map>
#include <set>

#include "events/event_identity.h"
#include "storage/journal.h"
#include "storage/journal_merge.h"
#include "storage/topic_log.h"
#include "tests/support/event_builders.h"
#include "tests/support/journal_entries.h"
#include "tests/support/temp_dir.h"

namespace rapport {
namespace {

using projections::JournalCopies;
using projections::JournalEntry;
using Records = std::vector<events::TopicRecord>;
using Entries = std::vector<JournalEntry>;

events::TopicRecord Record(const std::string& topic, int partition, int64_t offset,
                           std::optional<std::string> key, std::optional<std::string> value) {
  events::TopicRecord record;
  record.topic = topic;
  record.partition = Partition(partition);
  record.offset = Offset(offset);
  record.key = std::move(key);
  record.value = std::move(value);
  record.timestamp_ms = 1000 + offset;
  record.headers = {{"rapport-test", "h" + std::to_string(offset)}};
  return record;
}

std::vector<events::PartitionOffset> Progress(const std::string& topic, int partition, int64_t next) {
  return {{{topic, Partition(partition)}, Offset(next)}};
}

std::vector<events::TopicRecord> VisitAll(const projections::TopicLog& log, const std::string& topic,
                                          std::map<int32_t, int64_t>* progress = nullptr) {
  std::vector<events::TopicRecord> out;
  auto visited = log.Visit(topic, [&](events::TopicRecord&& record) {
    out.push_back(std::move(record));
    return Status::Ok();
  });
  REQUIRE(visited.ok());
  if (progress) *progress = *visited;
  return out;
}

// A topic log in `dir`, opened for writing.
std::unique_ptr<projections::TopicLog> OpenLog(const std::filesystem::path& dir) {
  auto log = projections::TopicLog::Open(dir, projections::OpenMode::kReadWrite);
  REQUIRE(log.ok());
  return std::move(log).value();
}

// Appends `records` to partition 0 of `topic`, a compacted topic, and moves the
// partition's progress to `next`.
void AppendCompacted(projections::TopicLog& log, const std::string& topic, const Records& records,
                     int64_t next) {
  REQUIRE(log.Append(records, std::set<std::string>{topic}, Progress(topic, 0, next)).ok());
}

// True when any file under `dir` contains `needle`.
bool FilesContain(const std::filesystem::path& dir, const std::string& needle) {
  for (const auto& file : std::filesystem::recursive_directory_iterator(dir)) {
    if (!file.is_regular_file()) continue;
    std::ifstream in(file.path(), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (bytes.find(needle) != std::string::npos) return true;
  }
  return false;
}

TEST_CASE("topic log: a topic kept whole keeps every record and the progress, across a reopen",
          "[integration][durable]") {
  testing::TempDir dir;
  const std::vector<events::TopicRecord> records = {Record("alerts", 0, 0, "c-1", "a"),
                                                    Record("alerts", 0, 1, "c-1", "b"),
                                                    Record("alerts", 3, 0, std::nullopt, "c")};
  {
    auto log = OpenLog(dir.path());
    auto progress = Progress("alerts", 0, 2);
    progress.push_back({{"alerts", Partition(3)}, Offset(1)});
    REQUIRE(log->Append(records, {}, progress).ok());
  }
  auto log = OpenLog(dir.path());
  std::map<int32_t, int64_t> progress;
  CHECK(VisitAll(*log, "alerts", &progress) == records);
  CHECK(progress == std::map<int32_t, int64_t>{{0, 2}, {3, 1}});
  CHECK(VisitAll(*log, "other").empty());
}

TEST_CASE("topic log: a compacted topic keeps the latest value per key", "[integration][durable]") {
  testing::TempDir dir;
  auto log = OpenLog(dir.path());
  AppendCompacted(*log, "fits", Records{Record("fits", 0, 0, "k1", "v1"), Record("fits", 0, 1, "k2", "v2")},
                  2);
  AppendCompacted(*log, "fits", Records{Record("fits", 0, 2, "k1", "v1-new")}, 3);
  const auto kept = VisitAll(*log, "fits");
  REQUIRE(kept.size() == 2);
  CHECK(*kept[0].value == "v2");
  CHECK(*kept[1].value == "v1-new");
  CHECK(kept[1].offset == Offset(2));
}

TEST_CASE("topic log: a tombstone removes the key's older values from the files", "[integration][durable]") {
  testing::TempDir dir;
  const std::string secret = "SECRET-VALUE-0123456789-SECRET";
  auto log = OpenLog(dir.path());
  AppendCompacted(*log, "keys",
                  Records{Record("keys", 0, 0, "gone", secret), Record("keys", 0, 1, "stays", "kept")}, 2);
  // Written to the tables too, not only the write-ahead log.
  REQUIRE(log->store()
              .db()
              ->Flush(rocksdb::FlushOptions(), log->store().handle(projections::Family::kState))
              .ok());
  REQUIRE(FilesContain(dir.path(), secret));

  AppendCompacted(*log, "keys", Records{Record("keys", 0, 2, "gone", std::nullopt)}, 3);
  const auto kept = VisitAll(*log, "keys");
  REQUIRE(kept.size() == 1);
  CHECK(*kept[0].key == "stays");
  CHECK_FALSE(FilesContain(dir.path(), secret));
  log.reset();
  CHECK_FALSE(FilesContain(dir.path(), secret));
}

TEST_CASE("topic log: ReplacePartition renumbers a partition and sets its progress",
          "[integration][durable]") {
  testing::TempDir dir;
  auto log = OpenLog(dir.path());
  AppendCompacted(*log, "fits", Records{Record("fits", 0, 4, "a", "1"), Record("fits", 0, 9, "b", "2")}, 10);
  REQUIRE(log->ReplacePartition("fits", Partition(0),
                                Records{Record("fits", 0, 0, "a", "1"), Record("fits", 0, 1, "b", "2")},
                                Offset(2))
              .ok());
  std::map<int32_t, int64_t> progress;
  const auto kept = VisitAll(*log, "fits", &progress);
  REQUIRE(kept.size() == 2);
  CHECK(kept[1].offset == Offset(1));
  CHECK(progress[0] == 2);
  // The key index follows: a new value of "a" replaces the renumbered one.
  AppendCompacted(*log, "fits", Records{Record("fits", 0, 2, "a", "1-new")}, 3);
  const auto after = VisitAll(*log, "fits");
  REQUIRE(after.size() == 2);
  CHECK(*after[0].value == "2");
  CHECK(*after[1].value == "1-new");
}

std::vector<std::string> EventIds(const projections::Journal& journal, JournalCopies copies) {
  std::vector<std::string> ids;
  REQUIRE(journal
              .ScanAll(
                  [&](JournalEntry&& entry) {
                    ids.push_back(events::PeekEventIdentity(entry.value)->event_id);
                    return Status::Ok();
                  },
                  copies)
              .ok());
  return ids;
}

TEST_CASE("journal: an event already journaled is not journaled again", "[integration][durable][journal]") {
  testing::TempDir dir;
  auto journal = projections::Journal::Open(dir.path(), projections::OpenMode::kReadWrite);
  REQUIRE(journal.ok());
  testing::GatewayEntries entries(4);
  const events::Event event = testing::Purchase("c-1", testing::Day(1), 10);
  const JournalEntry first = entries.Next(event);
  const JournalEntry retry = entries.Next(event);  // the same event at a later offset
  const JournalEntry other = entries.Next(testing::Purchase("c-1", testing::Day(2), 20));
  int64_t duplicates = -1;
  REQUIRE((*journal)->AppendEvents(Entries{first}, true, &duplicates).ok());
  CHECK(duplicates == 0);
  REQUIRE((*journal)->AppendEvents(Entries{retry, other, retry}, true, &duplicates).ok());
  CHECK(duplicates == 2);
  CHECK(EventIds(**journal, JournalCopies::kAll).size() == 2);
  // The same message again (an archiver re-reading after a crash) is written in place.
  REQUIRE((*journal)->AppendWithProgress(Entries{first}, {}).ok());
  CHECK(EventIds(**journal, JournalCopies::kAll).size() == 2);
  // Reopened: still idempotent.
  journal->reset();
  journal = projections::Journal::Open(dir.path(), projections::OpenMode::kReadWrite);
  REQUIRE(journal.ok());
  REQUIRE((*journal)->AppendEvents(Entries{retry}, true, &duplicates).ok());
  CHECK(duplicates == 1);
  CHECK(EventIds(**journal, JournalCopies::kAll).size() == 2);
}

TEST_CASE("journal: readers of an older journal with duplicates see each event once, the first copy",
          "[integration][durable][journal]") {
  testing::TempDir dir;
  testing::GatewayEntries entries(1);
  const events::Event event = testing::Purchase("c-1", testing::Day(1), 10);
  const JournalEntry first = entries.Next(event);
  const JournalEntry other = entries.Next(testing::Purchase("c-2", testing::Day(2), 20));
  JournalEntry retry = entries.Next(event);
  retry.timestamp_ms = first.timestamp_ms;  // published again: same event, later offset
  {
    // An older journal: written before the first-copy index (removed here, with
    // its mark, between the appends).
    auto journal = projections::Journal::Open(dir.path(), projections::OpenMode::kReadWrite);
    REQUIRE(journal.ok());
    REQUIRE((*journal)->Append(Entries{first, other}, true).ok());
    auto* db = (*journal)->store().db();
    const std::string identity = events::IdentityKey(*events::PeekEventIdentity(first.value));
    REQUIRE(db->Delete({}, (*journal)->store().handle(projections::Family::kDedupe), identity).ok());
    REQUIRE((*journal)->Append(Entries{retry}, true).ok());
    REQUIRE(
        db->Delete({}, (*journal)->store().handle(projections::Family::kMeta), "journal/first-copies-indexed")
            .ok());
    REQUIRE(db->Delete({}, (*journal)->store().handle(projections::Family::kDedupe), identity).ok());
    CHECK(EventIds(**journal, JournalCopies::kAll).size() == 3);
  }
  auto journal = projections::Journal::Open(dir.path(), projections::OpenMode::kReadWrite);  // indexes it
  REQUIRE(journal.ok());
  CHECK(EventIds(**journal, JournalCopies::kAll).size() == 3);
  CHECK(EventIds(**journal, JournalCopies::kFirstOnly).size() == 2);
  auto place = (*journal)->FirstCopyOf(events::IdentityKey(*events::PeekEventIdentity(first.value)));
  REQUIRE(place.ok());
  REQUIRE(place->has_value());
  CHECK((*place)->second == first.offset);

  auto merged = [&](JournalCopies copies) {
    projections::JournalMerge merge(**journal, {{Partition(0), {Offset(0), Offset(3)}}}, 4096, copies);
    std::vector<JournalEntry> out;
    while (true) {
      auto more = merge.Next(100, out);
      REQUIRE(more.ok());
      if (!*more) break;
    }
    return out;
  };
  const auto once = merged(JournalCopies::kFirstOnly);
  REQUIRE(once.size() == 2);
  CHECK(once[0].offset == first.offset);
  CHECK(merged(JournalCopies::kAll).size() == 3);
}

}  // namespace
}  // namespace rapport
