#include "services/platform/broker_lookup.h"

#include <fstream>
#include <string>

#include "services/platform/platform.h"

namespace rapport::services {

void ResolveBrokers(Config& config) {
  if (config.brokers.empty()) {
    std::ifstream in(BootstrapFile(config));
    std::getline(in, config.brokers);
  }
  config.kafka.bootstrap_servers = config.brokers;
}

}  // namespace rapport::services
