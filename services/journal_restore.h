#pragma once
// Brings a fresh embedded broker back to where the platform was: re-publishes the
// event journal into the interactions topic, partition by partition in offset
// order, so every message gets the offset it had before the restart and the
// projectors' stored offsets mean the same messages again. Holes in the journal
// (see events/record.h) are re-published as fillers to keep the numbering.

#include <cstdint>
#include <string>

#include "events/publisher.h"
#include "events/status.h"
#include "projections/journal.h"

namespace rapport::services {

// Returns the number of messages re-published. Fails if the topic was not empty
// (Kafka's offsets would then differ from the journal's).
Result<int64_t> RestoreIntoBroker(const projections::Journal& journal, events::Publisher& publisher,
                                  const std::string& topic);

}  // namespace rapport::services
