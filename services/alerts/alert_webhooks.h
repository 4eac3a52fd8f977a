#pragma once
// Webhook delivery of churn alerts: each configured target (webhook_target.h) gets
// every alert of the churn projection's alert log, in sequence order, as its JSON
// form by POST, signed (webhook_signature.h: timestamp and HMAC-SHA256 headers),
// over https with certificate verification when the URL says https.
// Each target has its own thread and its own cursor (kept in the store's meta
// family, so a restart resumes where it stopped), so a slow or failing target never
// blocks detection or the others. A failed POST (error or non-2xx) is retried with
// exponential backoff (domain.churn.webhooks.*); after max_attempts the alert gets
// a dead-letter record in the store (projections::ReadWebhookDeadLetters, listed by
// `rapport webhooks failed`) and the target moves on to the next alert. A target
// whose host resolves to an internal address (not allowlisted) is never posted to:
// its alerts are dead-lettered at once. A new URL starts at the beginning of the log.
//
// Re-drive (`rapport webhooks redrive`, webhook_command.h): the command drops a
// request file into `redrive_dir`; a thread here sends every dead letter of a
// configured target once more, deletes those delivered, and answers with a
// `<request>.done` file holding a JSON summary. The store has one writer, this
// process, so the command asks rather than writes.
//
// Lifecycle: construct, Start, Stop (interrupts backoff waits).

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "events/status.h"
#include "projections/domain/churn_settings.h"
#include "services/alerts/webhook_target.h"
#include "storage/store.h"

namespace rapport::services {

class AlertWebhooks {
 public:
  // `redrive_dir` empty: no re-drive requests are served.
  AlertWebhooks(projections::Store& store, std::vector<WebhookTarget> targets, projections::ChurnSettings settings,
                std::filesystem::path redrive_dir = {});
  ~AlertWebhooks() { Stop(); }
  void Start();
  void Stop();

  // Sends every dead letter of a configured target once more; deletes those
  // delivered. Returns {"redriven": n, "failed": n, "skipped": n} (skipped: the
  // URL is no longer configured).
  Result<nlohmann::json> Redrive();

 private:
  void Deliver(const WebhookTarget& target);
  // One signed POST; empty when delivered, else why not.
  std::string Post(const WebhookTarget& target, const std::string& body);
  void ServeRedriveRequests();
  // Sleeps up to `ms`, returning early (false) when stopping.
  bool Wait(int ms);

  projections::Store& store_;
  std::vector<WebhookTarget> targets_;
  projections::ChurnSettings settings_;
  std::filesystem::path redrive_dir_;
  std::atomic<bool> stopping_{false};
  std::vector<std::thread> threads_;
};

}  // namespace rapport::services
