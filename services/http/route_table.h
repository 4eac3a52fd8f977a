#pragma once
// The server's routes: a method ("GET" or "POST") and a pattern over the whole
// percent-decoded path, literal text and `([^/]+)` groups
// (projections/runtime/route_request.h: matched without std::regex, whose matcher
// recurses per character and overflows the stack on a long path). The first route
// added that matches wins, so specific routes go before general ones. HEAD is
// answered by the GET routes.
//
// Lifecycle: filled before the server starts, then only read (reads are thread-safe).

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "events/status.h"
#include "projections/runtime/route_request.h"
#include "services/http/http_response.h"

namespace rapport::services {

using RouteHandler = std::function<HttpResponse(const HttpRequest&)>;
// Opens a Server-Sent Events stream; an error is answered as ErrorResponse.
using StreamOpener = std::function<Result<projections::ChunkSource>(const HttpRequest&)>;

struct RouteEntry {
  std::string method;
  std::string pattern;                                // as given: the access log names the route by it
  std::optional<projections::RoutePattern> compiled;  // nullopt: not a valid pattern, never matches
  RouteHandler answer;                                // exactly one of answer and stream is set
  StreamOpener stream;
};

struct RouteMatch {
  const RouteEntry* route = nullptr;  // null: no route matches
  std::vector<std::string> groups;    // [0] is the whole path
};

class RouteTable {
 public:
  void Add(std::string method, const std::string& pattern, RouteHandler answer, StreamOpener stream = {});
  RouteMatch Find(std::string_view method, const std::string& path) const;
  const std::vector<RouteEntry>& entries() const { return entries_; }

 private:
  std::vector<RouteEntry> entries_;
};

}  // namespace rapport::services
