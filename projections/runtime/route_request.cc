#include "projections/runtime/route_request.h"

#include <algorithm>

#include "events/utf8.h"
#include "events/validation.h"

namespace rapport::projections {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

constexpr std::string_view kGroup = "([^/]+)";

bool IsLiteral(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '/' || c == '_' ||
         c == '-';
}

std::string KnownList(const std::vector<std::string>& names) {
  if (names.empty()) return "this endpoint takes none";
  std::string out = "known: ";
  for (size_t i = 0; i < names.size(); ++i) out += (i ? ", " : "") + names[i];
  return out;
}

}  // namespace

std::optional<std::string> DecodePercent(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      const int high = HexValue(text[i + 1]);
      const int low = HexValue(text[i + 2]);
      if (high < 0 || low < 0) return std::nullopt;
      out.push_back(static_cast<char>(high * 16 + low));
      i += 2;
    } else {
      out.push_back(plus_is_space && c == '+' ? ' ' : c);
    }
  }
  return out;
}

Result<QueryParams> ParseQueryString(std::string_view query) {
  QueryParams out;
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view piece = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (piece.empty()) continue;
    const size_t eq = piece.find('=');
    auto name = DecodePercent(piece.substr(0, eq), true);
    if (!name) {
      return Status::InvalidArgument(std::string(events::Utf8Prefix(piece.substr(0, eq), 64)),
                                     "bad percent-escape in the parameter name");
    }
    auto value = eq == std::string_view::npos ? std::optional<std::string>("")
                                              : DecodePercent(piece.substr(eq + 1), true);
    if (!value) return Status::InvalidArgument(std::string(events::Utf8Prefix(*name, 64)), "bad percent-escape");
    out.emplace_back(std::move(*name), std::move(*value));
  }
  return out;
}

Result<RoutePattern> RoutePattern::Compile(std::string_view pattern) {
  RoutePattern out;
  out.literals_.emplace_back();
  for (size_t i = 0; i < pattern.size();) {
    if (pattern.substr(i).starts_with(kGroup)) {
      out.literals_.emplace_back();
      i += kGroup.size();
      continue;
    }
    if (!IsLiteral(pattern[i])) {
      return Status::InvalidArgument("pattern", "\"" + std::string(pattern) +
                                                    "\": a route pattern is literal path text and ([^/]+) groups");
    }
    out.literals_.back().push_back(pattern[i++]);
  }
  return out;
}

std::optional<std::vector<std::string>> RoutePattern::Match(std::string_view path) const {
  std::vector<std::string> groups;
  if (!MatchFrom(path, 0, 0, groups)) return std::nullopt;
  groups.insert(groups.begin(), std::string(path));
  return groups;
}

// Literal `literal` at `position`, then its group (if any) and the rest. A group
// takes the longest run of non-'/' bytes that lets the rest match, as a
// backtracking regex matcher's greedy ([^/]+) does. Recursion depth: the number of
// groups in the pattern, not the length of the path.
bool RoutePattern::MatchFrom(std::string_view path, size_t position, size_t literal,
                             std::vector<std::string>& groups) const {
  const std::string& text = literals_[literal];
  if (path.substr(position, text.size()) != text) return false;
  position += text.size();
  if (literal + 1 == literals_.size()) return position == path.size();
  size_t end = path.find('/', position);
  if (end == std::string_view::npos) end = path.size();
  for (size_t stop = end; stop > position; --stop) {
    groups.emplace_back(path.substr(position, stop - position));
    if (MatchFrom(path, stop, literal + 1, groups)) return true;
    groups.pop_back();
  }
  return false;
}

std::optional<RouteMatch> MatchRoute(const std::vector<Route>& routes, std::string_view path) {
  for (size_t i = 0; i < routes.size(); ++i) {
    auto pattern = RoutePattern::Compile(routes[i].pattern);
    if (!pattern.ok()) continue;
    if (auto matches = pattern->Match(path)) return RouteMatch{i, std::move(*matches)};
  }
  return std::nullopt;
}

Status CheckRouteRequest(const Route& route, const HttpRequest& request) {
  for (size_t i = 0; i < request.params.size(); ++i) {
    const std::string& name = request.params[i].first;
    if (std::find(route.params.begin(), route.params.end(), name) == route.params.end()) {
      return Status::InvalidArgument(std::string(events::Utf8Prefix(name, 64)),
                                     "unknown parameter (" + KnownList(route.params) + ")");
    }
    for (size_t j = 0; j < i; ++j) {
      if (request.params[j].first == name) return Status::InvalidArgument(name, "given more than once");
    }
  }
  if (route.customer_in_path) {
    if (request.matches.size() < 2) return Status::InvalidArgument("customer_id", "is required");
    RAPPORT_RETURN_IF_ERROR(events::ValidateCustomerId(request.matches[1], "customer_id"));
  }
  return Status::Ok();
}

Route WithRequestCheck(Route route) {
  // What the check reads, without the handlers the wrappers below replace.
  const Route declared{route.pattern, {}, {}, route.params, route.customer_in_path};
  if (route.answer) {
    route.answer = [checked = declared, answer = route.answer](const HttpRequest& request) {
      Status status = CheckRouteRequest(checked, request);
      return status.ok() ? answer(request) : ErrorResponse(status);
    };
  }
  if (route.stream) {
    route.stream = [checked = declared, stream = route.stream](const HttpRequest& request) -> Result<ChunkSource> {
      RAPPORT_RETURN_IF_ERROR(CheckRouteRequest(checked, request));
      return stream(request);
    };
  }
  return route;
}

}  // namespace rapport::projections
