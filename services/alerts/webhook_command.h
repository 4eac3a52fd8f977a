#pragma once
// `rapport webhooks failed [--json]` lists the webhook deliveries that failed for
// good (the dead letters the churn store keeps, services/alerts/alert_webhooks.h):
// one line each with time, URL, alert id, attempts and the last error; works beside
// a running `rapport up` or without one.
// `rapport webhooks redrive` asks the running `rapport up` on the same --data-dir to
// send them again (a request file in WebhookRedriveDir; the store has one writer)
// and prints its answer: how many were delivered, failed again, or skipped (URL no
// longer configured). Delivered ones leave the list.

#include <filesystem>

#include <CLI/CLI.hpp>

#include "services/config/config.h"

namespace rapport::services {

struct WebhookOptions {
  CLI::App* failed = nullptr;
  CLI::App* redrive = nullptr;
  bool json = false;
  int timeout_seconds = 120;
};

// `<data-dir>/webhook-redrive`.
std::filesystem::path WebhookRedriveDir(const std::filesystem::path& data_dir);

// Adds failed/redrive under `webhooks` (which must already carry the common options).
void AddWebhookSubcommands(CLI::App& webhooks, WebhookOptions& options);

// Runs the parsed subcommand; prints to stdout, errors to stderr; the exit code.
int RunWebhooks(const Config& config, const WebhookOptions& options);

}  // namespace rapport::services
