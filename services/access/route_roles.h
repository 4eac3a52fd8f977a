#pragma once
// The one table of who may call which route: every route rapport serves matches a
// line here (a projection's routes by family: a per-customer view, a segment, a
// trend, a statistic), with the role it needs or "open" (/healthz, /readyz). A request whose
// method and path match no line is refused (fail closed), so a route added without
// a line here cannot be reached; tests/integration/access_test.cc checks that every
// mounted route has one. Pure; thread-safe.

#include <optional>
#include <span>
#include <string_view>

#include "services/access/roles.h"

namespace rapport::services {

struct RouteRule {
  std::string_view method;   // "GET" (also answers HEAD) or "POST"
  std::string_view pattern;  // "/v1/customers/{id}/{view}": each {..} is one non-empty path segment
  std::optional<Role> role;  // nullopt: open to anyone, no token needed
};

// Every rule, in table order.
std::span<const RouteRule> RouteRules();

// The rule of `method` `path`; nullptr when none matches (the request is refused).
const RouteRule* RuleFor(std::string_view method, std::string_view path);

// Whether `path` matches `pattern` (see RouteRule::pattern).
bool PathMatches(std::string_view pattern, std::string_view path);

}  // namespace rapport::services
