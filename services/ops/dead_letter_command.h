#pragma once
// The `rapport dlq` subcommands (list, show, replay) on top of dead_letter_tool.h.
// Brokers come from --brokers, RAPPORT_BROKERS, or `<data-dir>/bootstrap.servers`
// (written by a running `rapport up`).

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "services/config/config.h"

namespace rapport::services {

struct DlqOptions {
  CLI::App* list = nullptr;
  CLI::App* show = nullptr;
  CLI::App* replay = nullptr;
  std::vector<std::string> ids;  // "<partition>:<offset>"
  bool all = false;
  bool force = false;
  bool json = false;
  int timeout_seconds = 30;
};

// Adds list/show/replay under `dlq` (which must already carry the common options).
void AddDlqSubcommands(CLI::App& dlq, DlqOptions& options);

// Runs the parsed subcommand; prints to stdout, errors to stderr; the exit code.
int RunDlq(const Config& config, const DlqOptions& options);

}  // namespace rapport::services
