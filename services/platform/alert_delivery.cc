#include "services/platform/alert_delivery.h"

#include "services/alerts/alert_outbox.h"
#include "services/alerts/alert_webhooks.h"
#include "services/alerts/webhook_command.h"

namespace rapport::services {
namespace {

class AlertDelivery final : public projections::SideProcess {
 public:
  AlertDelivery(std::unique_ptr<AlertOutbox> outbox, std::unique_ptr<AlertWebhooks> webhooks)
      : outbox_(std::move(outbox)), webhooks_(std::move(webhooks)) {}
  ~AlertDelivery() override { Stop(); }

  void Stop() override {
    if (webhooks_) webhooks_->Stop();
    if (outbox_) outbox_->Stop();
  }

 private:
  std::unique_ptr<AlertOutbox> outbox_;
  std::unique_ptr<AlertWebhooks> webhooks_;  // null without configured URLs
};

}  // namespace

Result<std::unique_ptr<projections::SideProcess>> PlatformSideProcessHost::StartAlertDelivery(
    projections::Store& store, const projections::DomainSettings& settings) {
  auto targets = ParseWebhookTargets(settings.churn);
  if (!targets.ok()) return targets.status();
  auto outbox = std::make_unique<AlertOutbox>(store, publisher_, kafka_.topics.churn_alerts,
                                              settings.churn.outbox_batch,
                                              AlertOutbox::TopicReader{kafka_, history_});
  outbox->Start();
  std::unique_ptr<AlertWebhooks> webhooks;
  if (!targets->empty()) {
    webhooks = std::make_unique<AlertWebhooks>(store, std::move(targets).value(), settings.churn,
                                               WebhookRedriveDir(data_dir_));
    webhooks->Start();
  }
  return std::unique_ptr<projections::SideProcess>(
      std::make_unique<AlertDelivery>(std::move(outbox), std::move(webhooks)));
}

}  // namespace rapport::services
