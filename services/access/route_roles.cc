#include "services/access/route_roles.h"

#include <array>

namespace rapport::services {
namespace {

// clang-format off
// First match wins. A projection's own routes are matched by family (a
// per-customer view, a segment, a trend, a statistic are reads), since no code
// outside a projection's folder names it (tests/architecture/projection_names.py);
// a route of another kind needs a line of its own above the families.
constexpr std::array kRules = {
    RouteRule{"GET",  "/healthz",                   std::nullopt},
    RouteRule{"GET",  "/readyz",                    std::nullopt},
    // The gateway also asks for admin per event: customers_merged, customer_erased.
    RouteRule{"POST", "/v1/events",                 Role::kPublish},
    RouteRule{"GET",  "/v1/alerts",                 Role::kAlerts},
    RouteRule{"GET",  "/v1/alerts/stream",          Role::kAlerts},
    // Operational views: who owns which partition, and the metrics.
    RouteRule{"GET",  "/v1/cluster/instances",      Role::kMetrics},
    RouteRule{"GET",  "/metrics",                   Role::kMetrics},
    // The read families.
    RouteRule{"GET",  "/v1/customers",              Role::kRead},
    RouteRule{"GET",  "/v1/customers/{id}",         Role::kRead},
    RouteRule{"GET",  "/v1/customers/{id}/{view}",  Role::kRead},
    RouteRule{"GET",  "/v1/segments/{name}",        Role::kRead},
    RouteRule{"GET",  "/v1/trends/{name}",          Role::kRead},
    RouteRule{"GET",  "/v1/stats/{name}",           Role::kRead},
};
// clang-format on

}  // namespace

std::span<const RouteRule> RouteRules() { return kRules; }

bool PathMatches(std::string_view pattern, std::string_view path) {
  size_t p = 0, q = 0;
  while (p < pattern.size()) {
    if (pattern[p] == '{') {
      const size_t close = pattern.find('}', p);
      const size_t end = path.find('/', q);
      const size_t segment_end = end == std::string_view::npos ? path.size() : end;
      if (segment_end == q) return false;  // an empty segment
      p = close + 1;
      q = segment_end;
      continue;
    }
    if (q >= path.size() || pattern[p] != path[q]) return false;
    ++p;
    ++q;
  }
  return q == path.size();
}

const RouteRule* RuleFor(std::string_view method, std::string_view path) {
  if (method == "HEAD") method = "GET";
  for (const RouteRule& rule : kRules) {
    if (rule.method == method && PathMatches(rule.pattern, path)) return &rule;
  }
  return nullptr;
}

}  // namespace rapport::services
