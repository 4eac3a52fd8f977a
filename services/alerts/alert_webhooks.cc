#include "services/alerts/alert_webhooks.h"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <charconv>
#include <chrono>

#include "events/time_format.h"
#include "projections/churn/churn_projection.h"
#include "projections/churn/module.h"
#include "services/process/thread_name.h"

namespace rapport::services {
namespace {

std::string CursorKey(const std::string& url) { return std::string(projections::kWebhookCursorPrefix) + url; }

}  // namespace

Result<std::vector<WebhookUrl>> ParseWebhookUrls(const std::string& text) {
  std::vector<WebhookUrl> out;
  size_t start = 0;
  while (!text.empty() && start <= text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    WebhookUrl url;
    url.text = text.substr(start, end - start);
    start = end + 1;
    constexpr std::string_view kScheme = "http://";
    if (url.text.rfind(kScheme, 0) != 0) {
      return Status::InvalidArgument(projections::kChurnWebhookUrlsSetting,
                                     "\"" + url.text + "\" must start with http://");
    }
    std::string rest = url.text.substr(kScheme.size());
    const size_t slash = rest.find('/');
    if (slash != std::string::npos) {
      url.path = rest.substr(slash);
      rest = rest.substr(0, slash);
    }
    const size_t colon = rest.rfind(':');
    url.host = rest.substr(0, colon);
    if (colon != std::string::npos) {
      const std::string port = rest.substr(colon + 1);
      auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), url.port);
      if (ec != std::errc() || p != port.data() + port.size() || url.port < 1 || url.port > 65535) {
        return Status::InvalidArgument(projections::kChurnWebhookUrlsSetting, "\"" + url.text + "\": bad port");
      }
    }
    if (url.host.empty())
      return Status::InvalidArgument(projections::kChurnWebhookUrlsSetting, "\"" + url.text + "\": no host");
    out.push_back(std::move(url));
  }
  return out;
}

AlertWebhooks::AlertWebhooks(projections::Store& store, std::vector<WebhookUrl> urls,
                             projections::ChurnSettings settings)
    : store_(store), urls_(std::move(urls)), settings_(std::move(settings)) {}

void AlertWebhooks::Start() {
  for (const WebhookUrl& url : urls_) threads_.emplace_back([this, &url] {
    NameThisThread("alert-webhook");
    Deliver(url);
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

void AlertWebhooks::Deliver(const WebhookUrl& url) {
  int64_t next = 1;
  if (auto stored = store_.Get(projections::Family::kMeta, CursorKey(url.text));
      stored.ok() && stored->has_value()) {
    std::from_chars((*stored)->data(), (*stored)->data() + (*stored)->size(), next);
  }
  httplib::Client client(url.host, url.port);
  client.set_connection_timeout(0, settings_.webhook_timeout_ms * 1000);
  client.set_read_timeout(0, settings_.webhook_timeout_ms * 1000);
  client.set_write_timeout(0, settings_.webhook_timeout_ms * 1000);
  while (!stopping_) {
    auto log = projections::ReadAlertLog(store_, next - 1, 1);
    if (!log.ok()) {
      spdlog::warn("webhook {}: {}", url.text, log.status().ToString());
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
      auto response = client.Post(url.path.c_str(), body, "application/json");
      if (response && response->status >= 200 && response->status < 300) {
        delivered = true;
        break;
      }
      error = response ? "HTTP " + std::to_string(response->status) : httplib::to_string(response.error());
      if (attempt < settings_.webhook_max_attempts && !Wait(delay)) return;
      delay = std::min(settings_.webhook_backoff_max_ms, std::max(1, delay * 2));
    }
    if (stopping_ && !delivered) return;  // resume this alert after a restart
    rocksdb::WriteBatch batch;
    if (!delivered) {
      spdlog::warn("webhook {}: alert {} failed {} times ({}): dead-lettered", url.text, alert.alert_id,
                   settings_.webhook_max_attempts, error);
      nlohmann::json record = {{"url", url.text},
                               {"alert_id", alert.alert_id},
                               {"sequence", alert.sequence},
                               {"attempts", settings_.webhook_max_attempts},
                               {"error", error},
                               {"alert", projections::AlertToJson(alert)}};
      batch.Put(store_.handle(projections::Family::kIndex),
                projections::WebhookDeadLetterKey(alert.sequence, url.text), record.dump());
    }
    ++next;
    batch.Put(store_.handle(projections::Family::kMeta), CursorKey(url.text), std::to_string(next));
    Status written = store_.Write(batch);
    if (!written.ok()) spdlog::warn("webhook {}: cannot store cursor: {}", url.text, written.ToString());
  }
}

}  // namespace rapport::services
