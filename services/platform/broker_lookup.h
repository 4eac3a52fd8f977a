#pragma once
// Where a client subcommand (dlq, alerts, model fit, gateway / project / serve
// without their own broker) finds Kafka: --brokers (or the config file, or
// RAPPORT_BROKERS) first, else the bootstrap servers a running `rapport up` on the
// same --data-dir wrote to BootstrapFile (services/platform/platform.h), else, in a
// replay's output, the one of the data directory it was replayed from
// (services/access/cluster_secret.h, SourceDataDir).

#include "services/config/config.h"

namespace rapport::services {

// Fills an empty config.brokers from `<data-dir>/bootstrap.servers` (its first line;
// stays empty when there is no such file) and points config.kafka at config.brokers.
// Brokers found that way are the embedded ones: config.kafka then spools to
// `<data-dir>/topic-spool` (events/topic_spool.h).
// Never fails: a caller that needs brokers checks config.brokers and names the flag.
void ResolveBrokers(Config& config);

}  // namespace rapport::services
