#include "services/platform/alert_delivery.h"

#include "services/alerts/alert_outbox.h"
#include "services/alerts/alert_webhooks.h"

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
  auto urls = ParseWebhookUrls(settings.churn.webhook_urls);
  if (!urls.ok()) return urls.status();
  auto outbox = std::make_unique<AlertOutbox>(store, publisher_, alert_topic_, settings.churn.outbox_batch);
  outbox->Start();
  std::unique_ptr<AlertWebhooks> webhooks;
  if (!urls->empty()) {
    webhooks = std::make_unique<AlertWebhooks>(store, std::move(urls).value(), settings.churn);
    webhooks->Start();
  }
  return std::unique_ptr<projections::SideProcess>(
      std::make_unique<AlertDelivery>(std::move(outbox), std::move(webhooks)));
}

}  // namespace rapport::services
