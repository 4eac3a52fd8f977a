#include "services/platform/broker_lookup.h"

#include <fstream>
#include <string>

#include "services/access/cluster_secret.h"
#include "services/platform/platform.h"

namespace rapport::services {

void ResolveBrokers(Config& config) {
  if (config.brokers.empty()) {
    std::ifstream in(BootstrapFile(config));
    std::getline(in, config.brokers);
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
