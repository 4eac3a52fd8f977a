#pragma once
// One credential as it lives on `rapport.credentials` (compacted, key = name): a
// JSON record signed with the cluster secret (events/record_signature.h). The token
// itself is never stored, only its SHA-256. A revocation is a record with
// "revoked": true (a tombstone works too).
//
//   {"name":"ci","token_sha256":"<64 hex>","roles":["publish"],
//    "created_at_ms":1767225600000,"revoked":false}

#include <cstdint>
#include <string>
#include <string_view>

#include "events/status.h"
#include "services/access/roles.h"

namespace rapport::services {

struct Credential {
  std::string name;
  std::string token_hash;  // TokenHash (token.h)
  RoleSet roles;
  int64_t created_at_ms = 0;
  bool revoked = false;
};

// Names: 1-64 characters of [A-Za-z0-9._-]. InvalidArgument naming `field`.
Status CheckCredentialName(std::string_view name, std::string_view field);

std::string EncodeCredential(const Credential& credential);
// Corruption naming what is wrong; never throws.
Result<Credential> DecodeCredential(std::string_view json);

}  // namespace rapport::services
