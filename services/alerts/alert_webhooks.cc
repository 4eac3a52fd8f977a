#include "services/alerts/alert_webhooks.h"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <fstream>

#include "events/time_format.h"
#include "projections/churn/churn_projection.h"
#include "projections/churn/module.h"
#include "services/alerts/webhook_signature.h"
#include "services/process/thread_name.h"

namespace rapport::services {
namespace {

std::string CursorKey(const std::string& url) { return std::string(projections::kWebhookCursorPrefix) + url; }

// A client for `target`: https verifies the server's certificate (the system's CA
// store, or domain.churn.webhooks.ca_file).
std::unique_ptr<httplib::Client> MakeClient(const WebhookTarget& target, const projections::ChurnSettings& settings) {
  std::unique_ptr<httplib::Client> client;
  if (target.url.https) {
    client = std::make_unique<httplib::Client>("https://" + target.url.host + ":" + std::to_string(target.url.port));
    client->enable_server_certificate_verification(true);
    if (!settings.webhook_ca_file.empty()) client->set_ca_cert_path(settings.webhook_ca_file.c_str());
  } else {
    client = std::make_unique<httplib::Client>(target.url.host, target.url.port);
  }
  client->set_connection_timeout(0, settings.webhook_timeout_ms * 1000);
  client->set_read_timeout(0, settings.webhook_timeout_ms * 1000);
  client->set_write_timeout(0, settings.webhook_timeout_ms * 1000);
  return client;
}

std::string UnixSeconds() {
  return std::to_string(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
}

}  // namespace

AlertWebhooks::AlertWebhooks(projections::Store& store, std::vector<WebhookTarget> targets,
                             projections::ChurnSettings settings, std::filesystem::path redrive_dir)
    : store_(store), targets_(std::move(targets)), settings_(std::move(settings)), redrive_dir_(std::move(redrive_dir)) {}

void AlertWebhooks::Start() {
  for (const WebhookTarget& target : targets_) threads_.emplace_back([this, &target] {
    NameThisThread("alert-webhook");
    Deliver(target);
  });
  if (!redrive_dir_.empty()) threads_.emplace_back([this] {
    NameThisThread("webhook-redrive");
    ServeRedriveRequests();
  });
}

void AlertWebhooks::Stop() {
  stopping_ = true;
  for (auto& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
  threads_.clear();
}

bool AlertWebhooks::Wait(int ms) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (!stopping_ && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(std::min(ms, 20)));
  }
  return !stopping_;
}

std::string AlertWebhooks::Post(const WebhookTarget& target, const std::string& body) {
  // Checked at every delivery, not only at start: a name may resolve elsewhere now.
  Status reachable = CheckWebhookHost(target.url.host, settings_.webhook_allow_hosts);
  if (!reachable.ok()) return reachable.ToString();
  auto client = MakeClient(target, settings_);
  const std::string timestamp = UnixSeconds();
  httplib::Headers headers = {{std::string(kWebhookTimestampHeader), timestamp},
                              {std::string(kWebhookSignatureHeader), WebhookSignature(target.secret, timestamp, body)}};
  auto response = client->Post(target.url.path.c_str(), headers, body, "application/json");
  if (response && response->status >= 200 && response->status < 300) return "";
  return response ? "HTTP " + std::to_string(response->status) : httplib::to_string(response.error());
}

void AlertWebhooks::Deliver(const WebhookTarget& target) {
  const std::string& url = target.url.text;
  int64_t next = 1;
  if (auto stored = store_.Get(projections::Family::kMeta, CursorKey(url)); stored.ok() && stored->has_value()) {
    std::from_chars((*stored)->data(), (*stored)->data() + (*stored)->size(), next);
  }
  while (!stopping_) {
    auto log = projections::ReadAlertLog(store_, next - 1, 1);
    if (!log.ok()) {
      spdlog::warn("webhook {}: {}", url, log.status().ToString());
      if (!Wait(1000)) return;
      continue;
    }
    if (log->empty()) {
      if (!Wait(50)) return;
      continue;
    }
    const projections::AlertEvent& alert = log->front();
    const std::string body = projections::AlertToJson(alert).dump();
    std::string error;
    bool delivered = false;
    int delay = settings_.webhook_backoff_ms;
    for (int attempt = 1; attempt <= settings_.webhook_max_attempts && !stopping_; ++attempt) {
      error = Post(target, body);
      if (error.empty()) {
        delivered = true;
        break;
      }
      if (attempt < settings_.webhook_max_attempts && !Wait(delay)) return;
      delay = std::min(settings_.webhook_backoff_max_ms, std::max(1, delay * 2));
    }
    if (stopping_ && !delivered) return;  // resume this alert after a restart
    rocksdb::WriteBatch batch;
    if (!delivered) {
      spdlog::warn("webhook {}: alert {} failed {} times ({}): dead-lettered", url, alert.alert_id,
                   settings_.webhook_max_attempts, error);
      nlohmann::json record = {{"url", url},
                               {"alert_id", alert.alert_id},
                               {"sequence", alert.sequence},
                               {"attempts", settings_.webhook_max_attempts},
                               {"error", error},
                               {"failed_at", events::FormatRfc3339(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                 std::chrono::system_clock::now().time_since_epoch()).count())},
                               {"alert", projections::AlertToJson(alert)}};
      batch.Put(store_.handle(projections::Family::kIndex), projections::WebhookDeadLetterKey(alert.sequence, url),
                record.dump());
    }
    ++next;
    batch.Put(store_.handle(projections::Family::kMeta), CursorKey(url), std::to_string(next));
    Status written = store_.Write(batch);
    if (!written.ok()) spdlog::warn("webhook {}: cannot store cursor: {}", url, written.ToString());
  }
}

Result<nlohmann::json> AlertWebhooks::Redrive() {
  auto dead = projections::ReadWebhookDeadLetters(store_);
  if (!dead.ok()) return dead.status();
  int redriven = 0, failed = 0, skipped = 0;
  for (nlohmann::json& record : *dead) {
    const std::string url = record.value("url", "");
    const auto target = std::find_if(targets_.begin(), targets_.end(),
                                     [&](const WebhookTarget& t) { return t.url.text == url; });
    if (target == targets_.end() || !record.contains("alert")) {
      ++skipped;
      continue;
    }
    const std::string key = projections::WebhookDeadLetterKey(record.value("sequence", int64_t{0}), url);
    const std::string error = Post(*target, record["alert"].dump());
    rocksdb::WriteBatch batch;
    if (error.empty()) {
      ++redriven;
      batch.Delete(store_.handle(projections::Family::kIndex), key);
    } else {
      ++failed;
      record["error"] = error;
      record["redrive_attempts"] = record.value("redrive_attempts", 0) + 1;
      batch.Put(store_.handle(projections::Family::kIndex), key, record.dump());
    }
    RAPPORT_RETURN_IF_ERROR(store_.Write(batch));
  }
  return nlohmann::json{{"redriven", redriven}, {"failed", failed}, {"skipped", skipped}};
}

void AlertWebhooks::ServeRedriveRequests() {
  while (Wait(200)) {
    std::error_code ec;
    if (!std::filesystem::exists(redrive_dir_, ec)) continue;
    std::vector<std::filesystem::path> requests;
    for (const auto& entry : std::filesystem::directory_iterator(redrive_dir_, ec)) {
      if (entry.path().extension() == ".request") requests.push_back(entry.path());
    }
    for (const std::filesystem::path& request : requests) {
      auto summary = Redrive();
      const nlohmann::json answer = summary.ok() ? *summary : nlohmann::json{{"error", summary.status().ToString()}};
      std::filesystem::path done = request;
      done.replace_extension(".done");
      std::filesystem::path partial = done;
      partial += ".partial";
      std::ofstream(partial) << answer.dump() << "\n";
      std::error_code moved;
      std::filesystem::rename(partial, done, moved);
      std::filesystem::remove(request, moved);
    }
  }
}

}  // namespace rapport::services
