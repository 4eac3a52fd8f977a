#pragma once
// The library-independent half of serving a request: the query string parsed into
// parameters, the path matched against the routes' patterns, and the request
// checked against what its route declares (http_answer.h, Route::params and
// Route::customer_in_path) before the handler runs. Any HTTP server adapts to these
// (services/http); fuzz/http_request_fuzz.cc drives them with arbitrary input.
// Stateless and thread-safe.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "events/status.h"
#include "projections/runtime/http_answer.h"

namespace rapport::projections {

// Percent-decoding (RFC 3986; '+' is a space in a query): nullopt when a '%' is not
// followed by two hex digits.
std::optional<std::string> DecodePercent(std::string_view text, bool plus_is_space);

// "a=1&b=x%20y" -> {{"a","1"},{"b","x y"}}, in order, repeats kept (CheckRouteRequest
// rejects them). A name without '=' has an empty value; empty pieces ("a=1&&b=2")
// are skipped. A bad escape is a 400 naming the parameter.
Result<QueryParams> ParseQueryString(std::string_view query);

// A route pattern as routes write it: literal path text ([A-Za-z0-9/_-]) and
// `([^/]+)` groups, each one non-empty path segment. Still a valid regular
// expression with the same meaning, but matched here without std::regex, whose
// libstdc++ matcher recurses per character and overflows the stack on a long path.
class RoutePattern {
 public:
  // InvalidArgument naming "pattern" for anything but literal text and groups.
  static Result<RoutePattern> Compile(std::string_view pattern);

  // The groups ([0] the whole path) when `path` matches as a whole, as
  // std::regex_match would give them.
  std::optional<std::vector<std::string>> Match(std::string_view path) const;

 private:
  bool MatchFrom(std::string_view path, size_t position, size_t literal, std::vector<std::string>& groups) const;

  std::vector<std::string> literals_;  // literal, group, literal, group, ..., literal
};

struct RouteMatch {
  size_t index = 0;                  // into the routes given
  std::vector<std::string> matches;  // HttpRequest::matches
};

// The first of `routes` whose pattern matches `path` (routes whose pattern does not
// compile never match).
std::optional<RouteMatch> MatchRoute(const std::vector<Route>& routes, std::string_view path);

// Every query parameter is one of route.params and given once; with
// route.customer_in_path, matches[1] is a valid customer id. The error names the
// parameter, or "customer_id".
Status CheckRouteRequest(const Route& route, const HttpRequest& request);

// `route` with CheckRouteRequest in front of its handler: a request that fails it is
// answered with the error (400) and never reaches the handler or the stream.
Route WithRequestCheck(Route route);

}  // namespace rapport::projections
