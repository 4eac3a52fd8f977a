#pragma once
// What the platform lends projection modules for their side processes
// (projections/runtime/module.h SideProcessHost): alert delivery, the alert
// outbox drained to the alert topic and the configured webhooks
// (services/alerts/alert_outbox.h, alert_webhooks.h), started and stopped together.

#include <filesystem>
#include <memory>
#include <string>

#include "events/kafka_settings.h"
#include "events/publisher.h"
#include "events/topic_reader.h"
#include "projections/runtime/module.h"

namespace rapport::services {

class PlatformSideProcessHost final : public projections::SideProcessHost {
 public:
  // `publisher` and `history` (the embedded mode's durable topic copy, or null)
  // must outlive every side process started here; `kafka` reads the alert topic
  // back at start (services/alerts/alert_outbox.h: exactly once across restarts).
  // `data_dir` holds the webhook re-drive requests (webhook_command.h).
  PlatformSideProcessHost(events::Publisher& publisher, events::KafkaSettings kafka,
                          const events::TopicHistory* history, std::filesystem::path data_dir)
      : publisher_(publisher), kafka_(std::move(kafka)), history_(history), data_dir_(std::move(data_dir)) {}

  Result<std::unique_ptr<projections::SideProcess>> StartAlertDelivery(
      projections::Store& store, const projections::DomainSettings& settings) override;

 private:
  events::Publisher& publisher_;
  events::KafkaSettings kafka_;
  const events::TopicHistory* history_;
  std::filesystem::path data_dir_;
};

}  // namespace rapport::services
