#pragma once
// `rapport keys create | list | revoke`: credentials on `rapport.credentials`,
// beside a running `rapport up` (same --data-dir: its brokers and cluster secret)
// or any cluster (--brokers, --cluster-secret-file). `config.kafka` must carry the
// brokers and the cluster secret.
//
// create: publishes a new credential, waits for Kafka's acknowledgement and, when
//   `<data-dir>/http.address` names a serving `rapport up`, until it accepts the
//   token; prints the token alone on its last line (it is never shown again).
// list:   names, roles, created, revoked; never tokens.
// revoke: publishes the credential as revoked; every serving process refuses it
//   within about a second.

#include <iosfwd>
#include <string>

#include "events/status.h"
#include "services/config/config.h"

namespace rapport::services {

Status CreateKey(const Config& config, const std::string& name, const std::string& roles, std::ostream& out);
Status ListKeys(const Config& config, std::ostream& out);
Status RevokeKey(const Config& config, const std::string& name, std::ostream& out);

}  // namespace rapport::services
