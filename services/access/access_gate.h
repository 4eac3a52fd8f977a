#pragma once
// The RequestGate (services/http/request_gate.h) of every serving process: finds
// the route's role in the one table (route_roles.h), the caller in the credential
// store, and the caller's rate limit. Answers, with a JSON body naming the reason
// and the role needed:
//   401  no token, an unknown token, or a revoked credential (WWW-Authenticate: Bearer)
//   403  the credential lacks the route's role, or the route is in no table line
//   429  the credential's rate limit for that role (Retry-After, whole seconds)
// Open routes (/healthz, /readyz) pass without a token. Thread-safe.

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "services/access/credential_store.h"
#include "services/access/rate_limiter.h"
#include "services/access/roles.h"
#include "services/config/access_settings.h"
#include "services/http/request_gate.h"

namespace rapport::services {

class AccessGate final : public RequestGate {
 public:
  // `store` must outlive the gate.
  AccessGate(const CredentialStore& store, const AccessSettings& settings);

  GateVerdict Admit(std::string_view method, std::string_view path,
                    const projections::HeaderLookup& header) const override;

 private:
  const CredentialStore& store_;
  mutable RateLimiter limiter_;
};

// The refusal body: {"error": <error>, "reason": <reason>, "role": <role or null>}.
HttpResponse AccessRefusal(int status, std::string_view error, const std::string& reason, std::optional<Role> role);

}  // namespace rapport::services
