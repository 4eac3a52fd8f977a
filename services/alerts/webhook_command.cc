#include "services/alerts/webhook_command.h"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <thread>

#include <nlohmann/json.hpp>

#include "projections/churn/churn_projection.h"
#include "projections/churn/churn_readers.h"
#include "storage/store.h"

namespace rapport::services {
namespace {

int Fail(const Status& status) {
  std::cerr << "rapport webhooks: " << status.ToString() << "\n";
  return status.code() == StatusCode::kInvalidArgument ? 2 : 1;
}

int ListFailed(const Config& config, bool json) {
  const std::string name(projections::ChurnProjection::kName);
  const auto dir = std::filesystem::path(config.data_dir) / name;
  if (!std::filesystem::exists(dir / "CURRENT")) {
    return Fail(Status::InvalidArgument("data_dir", "no " + name + " store in " + config.data_dir));
  }
  auto store = projections::Store::Open(dir, projections::OpenMode::kSecondary);
  if (!store.ok()) return Fail(store.status());
  auto dead = projections::ReadWebhookDeadLetters(**store);
  if (!dead.ok()) return Fail(dead.status());
  for (const nlohmann::json& record : *dead) {
    if (json) {
      std::printf("%s\n", record.dump().c_str());
      continue;
    }
    std::printf("%s %s %s attempts %d: %s\n", record.value("failed_at", "-").c_str(),
                record.value("url", "").c_str(), record.value("alert_id", "").c_str(), record.value("attempts", 0),
                record.value("error", "").c_str());
  }
  if (!json) std::fprintf(stderr, "%zu failed webhook deliver%s\n", dead->size(), dead->size() == 1 ? "y" : "ies");
  return 0;
}

int AskRedrive(const Config& config, int timeout_seconds) {
  const auto dir = WebhookRedriveDir(config.data_dir);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Fail(Status::Unavailable("cannot create " + dir.string() + ": " + ec.message()));
  const std::string id = std::to_string(std::chrono::system_clock::now().time_since_epoch().count());
  const auto request = dir / (id + ".request");
  const auto done = dir / (id + ".done");
  std::ofstream(request) << "redrive\n";
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
  while (!std::filesystem::exists(done)) {
    if (std::chrono::steady_clock::now() > until) {
      std::filesystem::remove(request, ec);
      return Fail(Status::Unavailable("no running `rapport up` with webhooks on " + config.data_dir +
                                      " answered within " + std::to_string(timeout_seconds) + " s"));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  std::ifstream in(done);
  const nlohmann::json answer = nlohmann::json::parse(in, nullptr, false);
  std::filesystem::remove(done, ec);
  if (answer.is_discarded() || answer.contains("error")) {
    return Fail(Status::Internal(answer.is_discarded() ? "unreadable answer" : answer["error"].get<std::string>()));
  }
  std::printf("redriven %d, failed again %d, skipped %d (URL no longer configured)\n", answer.value("redriven", 0),
              answer.value("failed", 0), answer.value("skipped", 0));
  return answer.value("failed", 0) == 0 ? 0 : 1;
}

}  // namespace

std::filesystem::path WebhookRedriveDir(const std::filesystem::path& data_dir) { return data_dir / "webhook-redrive"; }

void AddWebhookSubcommands(CLI::App& webhooks, WebhookOptions& options) {
  webhooks.require_subcommand(1);
  options.failed = webhooks.add_subcommand("failed", "one line per failed webhook delivery: time, URL, alert, error");
  options.failed->add_flag("--json", options.json, "one JSON object per line instead");
  options.redrive = webhooks.add_subcommand("redrive", "ask the running `rapport up` to send failed deliveries again");
  options.redrive->add_option("--timeout", options.timeout_seconds, "seconds to wait for its answer (default 120)")
      ->check(CLI::Range(1, 3600));
  for (CLI::App* verb : {options.failed, options.redrive}) verb->fallthrough();
}

int RunWebhooks(const Config& config, const WebhookOptions& options) {
  if (options.failed->parsed()) return ListFailed(config, options.json);
  return AskRedrive(config, options.timeout_seconds);
}

}  // namespace rapport::services
