// The embedded restart's restore pads a partition up to the highest offset a
// projection store holds, so a projector that applied a message the journal never
// got (killed between Kafka's acknowledgement and the journal write) does not skip
// the next new event, which would otherwise land at an offset it already passed.

#include <catch2/catch.hpp>

#include "events/embedded_broker.h"
#include "events/publisher.h"
#include "events/wire_codec.h"
#include "storage/journal.h"
#include "storage/offsets.h"
#include "services/ingest/gateway.h"
#include "services/ingest/journal_restore.h"
#include "tests/support/broker_with_publisher.h"
#include "tests/support/event_builders.h"
#include "tests/support/temp_dir.h"

namespace rapport {
namespace {

TEST_CASE("restore: pads up to the projections' stored offsets so new events are not skipped",
          "[integration][journal]") {
  const std::string topic = "rapport.interactions";
  testing::BrokerWithPublisher cluster(3, {{topic, 2, 3}});
  events::Publisher& publisher = *cluster.publisher;

  testing::TempDir dir;
  auto journal = projections::Journal::Open(dir.path() / "journal", projections::OpenMode::kReadWrite);
  REQUIRE(journal.ok());
  std::vector<projections::JournalEntry> entries;
  for (int i = 0; i < 10; ++i) {
    auto message = services::ToKafkaMessage(testing::Purchase("c-1", testing::Day(i), 100), topic);
    entries.push_back({Partition(0), Offset(i), message.key, message.value, message.timestamp_ms, "purchase"});
  }
  REQUIRE((*journal)->Append(entries, /*sync=*/true).ok());
  {
    // The projector got to 13 in partition 0 (three messages the journal lacks)
    // and to 4 in partition 1 (which the journal does not have at all).
    auto store = projections::Store::Open(dir.path() / "customer-view", projections::OpenMode::kReadWrite);
    REQUIRE(store.ok());
    rocksdb::WriteBatch batch;
    projections::PutNextOffset(batch, **store, {topic, Partition(0)}, Offset(13));
    projections::PutNextOffset(batch, **store, {topic, Partition(1)}, Offset(4));
    projections::PutNextOffset(batch, **store, {"other.topic", Partition(0)}, Offset(99));
    REQUIRE((*store)->Write(batch).ok());
  }

  auto floors = services::StoredOffsetFloors(dir.path(), {"customer-view", "not-there"}, topic);
  REQUIRE(floors.ok());
  CHECK(*floors == std::map<int32_t, int64_t>{{0, 13}, {1, 4}});
  auto restored = services::RestoreIntoBroker(**journal, publisher, topic, *floors);
  REQUIRE(restored.ok());
  CHECK(*restored == 17);

  // The next events land after the floor, where the projector will read them.
  std::vector<events::OutgoingMessage> next(2, services::ToKafkaMessage(testing::Purchase("c-1", testing::Day(20), 5), topic));
  next[0].partition = Partition(0);
  next[1].partition = Partition(1);
  std::vector<events::Delivery> deliveries;
  REQUIRE(publisher.PublishAndWait(next, &deliveries).ok());
  CHECK(deliveries[0].offset == Offset(13));
  CHECK(deliveries[1].offset == Offset(4));
}

}  // namespace
}  // namespace rapport
