#pragma once
// What the platform lends projection modules for their side processes
// (projections/runtime/module.h SideProcessHost): alert delivery, the alert
// outbox drained to the alert topic and the configured webhooks
// (services/alerts/alert_outbox.h, alert_webhooks.h), started and stopped together.

#include <memory>
#include <string>

#include "events/publisher.h"
#include "projections/runtime/module.h"

namespace rapport::services {

class PlatformSideProcessHost final : public projections::SideProcessHost {
 public:
  // `publisher` and `alert_topic` must outlive every side process started here.
  PlatformSideProcessHost(events::Publisher& publisher, std::string alert_topic)
      : publisher_(publisher), alert_topic_(std::move(alert_topic)) {}

  Result<std::unique_ptr<projections::SideProcess>> StartAlertDelivery(
      projections::Store& store, const projections::DomainSettings& settings) override;

 private:
  events::Publisher& publisher_;
  std::string alert_topic_;
};

}  // namespace rapport::services
