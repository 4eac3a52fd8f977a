#pragma once
// `rapport alerts [--follow] [--tier A,B] [--json]`: reads the alert topic to its
// end (events/topic_reader.h: no consumer group, every partition from its start;
// in embedded mode the topic is restored from its durable copy at start, so this is
// the whole history), verifies each message with the FlatBuffers verifier and prints one line per alert,
// human-readable by default, the alert's JSON form with --json. Without --follow it
// stops at the end of every partition. Unreadable messages are reported on stderr
// and skipped; a repeat of an alert already printed (same AlertIdentity,
// alert_identity.h) is dropped.

#include <atomic>
#include <optional>
#include <ostream>
#include <set>
#include <string>

#include "events/kafka_settings.h"
#include "events/status.h"
#include "projections/churn/churn_alert.h"

namespace rapport::services {

struct AlertsOptions {
  bool follow = false;
  bool json = false;
  std::set<projections::Tier> tiers;  // empty: every tier; a clear prints when its alert did
};

// "A,B" -> tiers; the error names --tier.
Result<std::set<projections::Tier>> ParseTierList(const std::string& text);

// "2026-03-01T10:15:00Z raised al-… c-42 tier A risk 0.72: overdue (41 days since
// last purchase, usual interval 14) -> win back now: ..."
std::string AlertLine(const projections::AlertEvent& alert);

// Prints until the end (or until `stop` with --follow).
Status FollowAlerts(const events::KafkaSettings& kafka, const AlertsOptions& options, std::ostream& out,
                    const std::atomic<bool>& stop);

}  // namespace rapport::services
