#pragma once
// What the HTTP server asks before it runs a route's handler: who is calling, and may
// they. The server knows sockets, not credentials; the access layer (credentials,
// roles, rate limits) implements the gate, and the server consults it on every
// request and writes its verdict's credential name into the access log.

#include <optional>
#include <string>
#include <string_view>

#include "services/http/http_response.h"

namespace rapport::services {

struct GateVerdict {
  // Set when the request must not reach its handler: 401 (no or unknown token),
  // 403 (the credential lacks the route's role), 429 (rate limit, with Retry-After in
  // the headers). The body is JSON naming the reason and the role needed.
  std::optional<HttpResponse> refusal;
  std::string credential_name;  // who called, for the access log; empty when nobody
};

class RequestGate {
 public:
  virtual ~RequestGate() = default;
  // `header` looks up a request header by name (case-insensitive); "" when absent.
  virtual GateVerdict Admit(std::string_view method, std::string_view path,
                            const projections::HeaderLookup& header) const = 0;
};

}  // namespace rapport::services
