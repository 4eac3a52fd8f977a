#pragma once
// Webhook delivery of churn alerts: each configured URL gets every alert of the
// churn projection's alert log, in sequence order, as its JSON form by POST.
// Each URL has its own thread and its own cursor (kept in the store's meta family,
// so a restart resumes where it stopped), so a slow or failing URL never blocks
// detection or the other URLs. A failed POST (error or non-2xx) is retried with
// exponential backoff (domain.churn.webhooks.*); after max_attempts the alert gets
// a dead-letter record in the store (projections::ReadWebhookDeadLetters) and the
// URL moves on to the next alert. A new URL starts at the beginning of the log.
//
// Lifecycle: construct, Start, Stop (interrupts backoff waits).

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "events/status.h"
#include "projections/domain/churn_settings.h"
#include "storage/store.h"

namespace rapport::services {

// "http://host:port/path" -> parts; errors name domain.churn.webhooks.urls.
struct WebhookUrl {
  std::string text;
  std::string host;
  int port = 80;
  std::string path = "/";
};
Result<std::vector<WebhookUrl>> ParseWebhookUrls(const std::string& comma_separated);

class AlertWebhooks {
 public:
  AlertWebhooks(projections::Store& store, std::vector<WebhookUrl> urls, projections::ChurnSettings settings);
  ~AlertWebhooks() { Stop(); }
  void Start();
  void Stop();

 private:
  void Deliver(const WebhookUrl& url);
  // Sleeps up to `ms`, returning early (false) when stopping.
  bool Wait(int ms);

  projections::Store& store_;
  std::vector<WebhookUrl> urls_;
  projections::ChurnSettings settings_;
  std::atomic<bool> stopping_{false};
  std::vector<std::thread> threads_;
};

}  // namespace rapport::services
