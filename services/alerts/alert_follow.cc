#include "services/alerts/alert_follow.h"

#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <map>

#include "events/time_format.h"

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
  auto conf =
      events::MakeConsumerConf(kafka, "rapport-alerts-cli-" + std::to_string(getpid()), "rapport-alerts");
  if (!conf.ok()) return conf.status();
  RAPPORT_RETURN_IF_ERROR(events::SetProperty(conf->get(), "enable.partition.eof", "true"));
  char error[512];
  events::KafkaPtr consumer(rd_kafka_new(RD_KAFKA_CONSUMER, conf->release(), error, sizeof(error)));
  if (!consumer) return Status::Unavailable(std::string("alerts consumer: ") + error);
  rd_kafka_poll_set_consumer(consumer.get());

  const std::string& topic = kafka.topics.churn_alerts;
  const rd_kafka_metadata_t* metadata = nullptr;
  std::unique_ptr<rd_kafka_topic_t, decltype(&rd_kafka_topic_destroy)> handle(
      rd_kafka_topic_new(consumer.get(), topic.c_str(), nullptr), &rd_kafka_topic_destroy);
  RAPPORT_RETURN_IF_ERROR(events::FromKafka(
      rd_kafka_metadata(consumer.get(), 0, handle.get(), &metadata, 10'000), "metadata of " + topic));
  int partitions = 0;
  if (metadata->topic_cnt == 1 && metadata->topics[0].err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    partitions = metadata->topics[0].partition_cnt;
  }
  rd_kafka_metadata_destroy(metadata);
  if (partitions == 0) return Status::NotFound("topic " + topic);

  events::PartitionListPtr list(rd_kafka_topic_partition_list_new(partitions));
  for (int p = 0; p < partitions; ++p) {
    rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), p)->offset = RD_KAFKA_OFFSET_BEGINNING;
  }
  RAPPORT_RETURN_IF_ERROR(events::FromKafka(rd_kafka_assign(consumer.get(), list.get()), "assign " + topic));

  std::set<int32_t> at_end;
  std::set<std::string> shown;  // raised alerts printed (a customer's alerts share a partition, in order)
  while (!stop) {
    events::KafkaMessagePtr message(rd_kafka_consumer_poll(consumer.get(), 200));
    if (!message) continue;
    if (message->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      at_end.insert(message->partition);
      if (!options.follow && static_cast<int>(at_end.size()) == partitions) break;
      continue;
    }
    if (message->err) {
      std::cerr << "rapport alerts: " << rd_kafka_message_errstr(message.get()) << "\n";
      continue;
    }
    auto alert = projections::DecodeAlertWire(
        std::string_view(static_cast<const char*>(message->payload), message->len));
    if (!alert.ok()) {
      std::cerr << "rapport alerts: partition " << message->partition << " offset " << message->offset << ": "
                << alert.status().ToString() << " (skipped)\n";
      continue;
    }
    if (!options.tiers.empty()) {
      // A clear carries no tier: it prints when the alert it clears did.
      if (alert->kind == projections::AlertKind::kRaised) {
        if (!options.tiers.contains(alert->tier)) continue;
        shown.insert(alert->alert_id);
      } else if (!shown.contains(alert->alert_id)) {
        continue;
      }
    }
    out << (options.json ? projections::AlertToJson(*alert).dump() : AlertLine(*alert)) << "\n";
    out.flush();
  }
  rd_kafka_consumer_close(consumer.get());
  return Status::Ok();
}

}  // namespace rapport::services
