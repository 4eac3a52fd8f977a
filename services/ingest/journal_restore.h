#pragma once
// Brings a fresh embedded broker back to where the platform was: re-publishes the
// event journal into the interactions topic, partition by partition in offset
// order, so every message gets the offset it had before the restart and the
// projectors' stored offsets mean the same messages again. Holes in the journal
// (see events/record.h) are re-published as fillers to keep the numbering.

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "events/publisher.h"
#include "events/status.h"
#include "storage/journal.h"

namespace rapport::services {

// Returns the number of messages re-published. Fails if the topic was not empty
// (Kafka's offsets would then differ from the journal's).
// `floors` (partition -> offset): pad each partition with fillers up to at least
// there (StoredOffsetFloors).
Result<int64_t> RestoreIntoBroker(const projections::Journal& journal, events::Publisher& publisher,
                                  const std::string& topic, const std::map<int32_t, int64_t>& floors = {});

// The highest next offset of each partition of `topic` that any of the projection
// stores `names` under `data_dir` holds. A projector can apply a message Kafka
// acknowledged before the gateway journaled it; killed in between, the journal
// ends below the projector. Restoring up to this floor (with fillers) keeps new
// events from landing at offsets the projector already passed, which it would
// otherwise never read. (That message itself was never answered 202: its client
// retries, and the retry is de-duplicated by event id.)
Result<std::map<int32_t, int64_t>> StoredOffsetFloors(const std::filesystem::path& data_dir,
                                                      const std::vector<std::string>& names,
                                                      const std::string& topic);

}  // namespace rapport::services
