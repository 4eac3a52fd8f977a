#include "services/platform/broker_lookup.h"

#include <fstream>
#include <string>

#include "events/topic_spool.h"
#include "services/access/cluster_secret.h"
#include "services/platform/platform.h"

namespace rapport::services {

void ResolveBrokers(Config& config) {
  if (config.brokers.empty()) {
    std::ifstream in(BootstrapFile(config));
    std::getline(in, config.brokers);
    // The embedded broker of a `rapport up`: what this process writes to the
    // archived topics goes to its topic spool first (events/topic_spool.h).
    if (!config.brokers.empty()) config.kafka.topic_spool_dir = events::TopicSpoolDir(config.data_dir).string();
  }
  if (config.brokers.empty()) {
    // A replay's output: the brokers of the platform it was replayed from.
    if (auto source = SourceDataDir(config.data_dir)) {
      std::ifstream in(*source / "bootstrap.servers");
      std::getline(in, config.brokers);
    }
  }
  config.kafka.bootstrap_servers = config.brokers;
}

}  // namespace rapport::services
