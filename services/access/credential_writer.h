#pragma once
// Creating and revoking credentials: a signed record on `rapport.credentials`
// (credential.h), acknowledged by Kafka before these return. Used by `rapport keys`
// and by `rapport up`'s first start. Thread-safe (the publisher is).

#include <cstdint>
#include <string>

#include "events/kafka_settings.h"
#include "events/publisher.h"
#include "events/status.h"
#include "services/access/credential.h"

namespace rapport::services {

struct IssuedCredential {
  Credential credential;
  std::string token;  // shown once; only its hash is stored
};

// A new credential with a fresh token (not yet published).
Result<IssuedCredential> NewCredential(std::string name, RoleSet roles, int64_t now_ms);

// Publishes `credential`, signed with kafka.record_secret, keyed by its name; Ok
// once Kafka acknowledged it.
Status PublishCredential(events::Publisher& publisher, const events::KafkaSettings& kafka,
                         const Credential& credential);

}  // namespace rapport::services
