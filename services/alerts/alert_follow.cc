#include "services/alerts/alert_follow.h"

#include <cstdio>
#include <iostream>
#include <map>

#include "events/time_format.h"
#include "events/topic_reader.h"
#include "services/alerts/alert_identity.h"

namespace rapport::services {

Result<std::set<projections::Tier>> ParseTierList(const std::string& text) {
  std::set<projections::Tier> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    const std::string name = text.substr(start, end - start);
    auto tier = projections::ParseTier(name);
    if (!tier)
      return Status::InvalidArgument("--tier",
                                     "expected A, B, C or D (comma-separated), got \"" + name + "\"");
    out.insert(*tier);
    start = end + 1;
  }
  return out;
}

std::string AlertLine(const projections::AlertEvent& alert) {
  std::string line = events::FormatRfc3339(alert.at_ms) + " ";
  if (alert.kind == projections::AlertKind::kCleared) {
    return line + "cleared " + alert.alert_id + " " + alert.customer_id + " by " + alert.cleared_by + " " +
           alert.triggering_event_id;
  }
  char risk[16];
  std::snprintf(risk, sizeof(risk), "%.2f", alert.risk_score);
  line += "raised  " + alert.alert_id + " " + alert.customer_id + " tier " +
          std::string(projections::TierName(alert.tier)) + " risk " + risk + ":";
  for (size_t i = 0; i < alert.reasons.size(); ++i) {
    line += (i ? "; " : " ") + std::string(projections::Name(alert.reasons[i].reason)) + " (" +
            alert.reasons[i].detail + ")";
  }
  return line + " -> " + alert.action;
}

Status FollowAlerts(const events::KafkaSettings& kafka, const AlertsOptions& options, std::ostream& out,
                    const std::atomic<bool>& stop) {
  events::TopicReadOptions read;
  read.client_id = "rapport-alerts";
  if (options.follow) read.follow_until = &stop;
  std::set<std::string> shown;  // raised alerts printed (a customer's alerts share a partition, in order)
  // Every alert once: the outbox sends each once, but another Kafka client (or an
  // older rapport) may have repeated one; a repeat has the same AlertIdentity.
  std::set<std::string> seen;
  return events::ReadTopicToEnd(
      kafka, kafka.topics.churn_alerts, read,
      [&](events::TopicRecord&& record) {
        auto alert = projections::DecodeAlertWire(record.value.value_or(""));
        if (!alert.ok()) {
          std::cerr << "rapport alerts: partition " << record.partition.value() << " offset "
                    << record.offset.value() << ": " << alert.status().ToString() << " (skipped)\n";
          return Status::Ok();
        }
        if (!seen.insert(AlertIdentity(*alert)).second) return Status::Ok();
        if (!options.tiers.empty()) {
          // A clear carries no tier: it prints when the alert it clears did.
          if (alert->kind == projections::AlertKind::kRaised) {
            if (!options.tiers.contains(alert->tier)) return Status::Ok();
            shown.insert(alert->alert_id);
          } else if (!shown.contains(alert->alert_id)) {
            return Status::Ok();
          }
        }
        out << (options.json ? projections::AlertToJson(*alert).dump() : AlertLine(*alert)) << "\n";
        out.flush();
        return Status::Ok();
      },
      /*missing_is_error=*/true);
}

}  // namespace rapport::services
