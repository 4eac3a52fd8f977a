#pragma once
// `rapport up`'s first start: the credentials topic never held a credential, so
// nobody could call anything. It creates "admin" with every role and writes its
// token to `<data-dir>/admin.token` (mode 0600) for the operator; the start-up
// banner shows how to use it. Later starts find the topic in use and do nothing.

#include <chrono>
#include <filesystem>

#include "events/publisher.h"
#include "events/status.h"
#include "services/access/credential_store.h"
#include "services/config/config.h"

namespace rapport::services {

inline constexpr const char* kFirstCredentialName = "admin";

// `<data-dir>/admin.token`.
std::filesystem::path AdminTokenFile(const Config& config);
// `<data-dir>/http.address`: where `rapport up` listens, for `rapport keys`.
std::filesystem::path HttpAddressFile(const Config& config);

// Creates the first credential when `store` never read one (see above), and waits
// until `store` holds it. Returns whether it created one. `config.kafka` carries
// the brokers and the cluster secret.
Result<bool> EnsureFirstCredential(const Config& config, events::Publisher& publisher, const CredentialStore& store);

}  // namespace rapport::services
