#include "services/ops/dead_letter_command.h"

#include <cstdio>
#include <iostream>

#include "services/ops/dead_letter_tool.h"

namespace rapport::services {

void AddDlqSubcommands(CLI::App& dlq, DlqOptions& options) {
  dlq.require_subcommand(1);
  dlq.add_option("--timeout", options.timeout_seconds, "seconds to wait for Kafka (default 30)")
      ->check(CLI::Range(1, 3600));
  options.list = dlq.add_subcommand("list", "one line per dead-letter record: id, source, time, error");
  options.list->add_flag("--json", options.json, "one JSON object per line instead");
  options.show = dlq.add_subcommand("show", "one record in full: headers, bytes (hex, base64), decoded envelope");
  options.show->add_option("id", options.ids, "record id <partition>:<offset>")->required()->expected(1);
  options.replay = dlq.add_subcommand("replay", "re-publish records to their source topic (once each)");
  options.replay->add_option("ids", options.ids, "record ids <partition>:<offset>");
  options.replay->add_flag("--all", options.all, "every record not replayed yet");
  options.replay->add_flag("--force", options.force, "replay records that were already replayed");
  // `rapport dlq list --brokers ...`: the common options may follow the verb.
  for (CLI::App* verb : {options.list, options.show, options.replay}) verb->fallthrough();
}

int RunDlq(const Config& config, const DlqOptions& options) {
  auto fail = [](const Status& status) {
    std::cerr << "rapport dlq: " << status.ToString() << "\n";
    return status.code() == StatusCode::kInvalidArgument ? 2 : 1;
  };
  const auto timeout = std::chrono::seconds(options.timeout_seconds);
  auto records = ReadDeadLetters(config.kafka, timeout);
  if (!records.ok()) return fail(records.status());

  if (options.list->parsed()) {
    for (const DeadLetterRecord& record : *records) {
      if (options.json) {
        nlohmann::json line = DeadLetterJson(record);
        line.erase("hex");
        line.erase("base64");
        line.erase("envelope");
        std::printf("%s\n", line.dump().c_str());
      } else {
        std::printf("%s\n", FormatDeadLetterLine(record).c_str());
      }
    }
    if (!options.json) std::fprintf(stderr, "%zu record(s) on %s\n", records->size(), config.kafka.topics.dead_letter.c_str());
    return 0;
  }
  if (options.show->parsed()) {
    for (const DeadLetterRecord& record : *records) {
      if (record.id == options.ids.front()) {
        std::printf("%s\n", DeadLetterJson(record).dump(2).c_str());
        return 0;
      }
    }
    return fail(Status::InvalidArgument("id", "no dead-letter record " + options.ids.front() + " on " +
                                                  config.kafka.topics.dead_letter + " (see `rapport dlq list`)"));
  }
  auto publisher = events::Publisher::Create(config.kafka, "rapport-dlq");
  if (!publisher.ok()) return fail(publisher.status());
  std::set<std::string> ids(options.ids.begin(), options.ids.end());
  auto outcome = ReplayDeadLetters(config.kafka, **publisher, *records, ids, options.all, options.force);
  if (!outcome.ok()) return fail(outcome.status());
  for (const std::string& id : outcome->replayed) std::printf("replayed %s\n", id.c_str());
  for (const std::string& id : outcome->skipped) {
    std::printf("skipped %s: already replayed (--force replays it again)\n", id.c_str());
  }
  return 0;
}

}  // namespace rapport::services
