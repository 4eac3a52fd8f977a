#pragma once
// The analysts' subcommands of the `rapport` binary (docs/analysts.md):
//   replay <projection> [--as-known-at T] [--as-happened-by T] [--to-offsets P:O,...] [--into DIR]
//   diff DIR1 DIR2 [--projection NAME]
//   export [--from T] [--to T] [--customer ID] [--type a,b] --format jsonl|csv [--out FILE]
// each with --config, --data-dir and --log-level. main.cc adds them and runs the one
// parsed; the work lives in services/analyst/replay.h, store_diff.h and history_export.h.

#include <optional>
#include <string>

#include <CLI/CLI.hpp>

namespace rapport::services {

class AnalystCommands {
 public:
  // Adds the subcommands to `app`; the object must outlive app.parse().
  explicit AnalystCommands(CLI::App& app);

  // The exit code when one of these subcommands was parsed, nullopt otherwise.
  std::optional<int> Run();

 private:
  int Replay();
  int Diff();
  int Export();

  struct Common {
    std::string config_file;
    std::string data_dir;
    std::string log_level;
  };

  CLI::App* replay_ = nullptr;
  CLI::App* diff_ = nullptr;
  CLI::App* export_ = nullptr;
  Common replay_common_, diff_common_, export_common_;

  std::string projection_;
  std::string known_at_, happened_by_, to_offsets_, into_;
  size_t batch_events_ = 20'000;
  size_t ingest_events_ = 500'000;

  std::string left_dir_, right_dir_, diff_projection_;

  std::string from_, to_, customer_, types_, format_, out_;
  bool with_duplicates_ = false;  // export: the raw journal, every copy of an event
};

}  // namespace rapport::services
