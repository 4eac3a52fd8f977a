#pragma once
// What an HTTP handler receives and answers, independent of the HTTP library, so a
// projection's presenters are plain functions that tests call directly and the
// server (services/http/http_server.h) only adapts them to the wire.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "events/status.h"

namespace rapport::projections {

struct HttpResponse {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers = {};  // beyond Content-Type
};

// The body is written with error_handler_t::replace: a string that is not valid
// UTF-8 (an id or a quoted input from a request) is written with U+FFFD in place of
// its bad bytes instead of making dump() throw (which the client saw as a 500).
inline HttpResponse JsonResponse(int status, const nlohmann::json& body) {
  return HttpResponse{status, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                      "application/json"};
}

// {"error": "<code>", "field": "...", "reason": "..."} with the matching HTTP status.
HttpResponse ErrorResponse(const Status& status);
int HttpStatusFor(StatusCode code);

// An RFC 3339 time, or null for 0 (never).
nlohmann::json TimeOrNull(int64_t epoch_ms);

// The query string, in request order (repeats kept, so parsers can reject them).
using QueryParams = std::vector<std::pair<std::string, std::string>>;

// Looks up a request header by name (case-insensitive); "" when absent.
using HeaderLookup = std::function<std::string(const std::string&)>;

struct HttpRequest {
  std::vector<std::string> matches;  // the route pattern's groups; [0] is the whole path
  QueryParams params;
  HeaderLookup header;
  std::string method = "GET";  // as sent ("GET", "POST", ...)
  std::string path = {};       // percent-decoded, without the query string
  std::string body = {};       // POST only
};

// A Server-Sent Events body: each call gives the next chunk to send (it may wait a
// little for one), or nullopt to end the stream.
using ChunkSource = std::function<std::optional<std::string>()>;

// One GET endpoint. `pattern` is a regular expression over the whole path (groups
// become HttpRequest::matches). Exactly one of `answer` and `stream` is set; a
// stream's error is answered as ErrorResponse before anything is streamed.
//
// What a route takes is declared with it and checked before its handler runs
// (projections/runtime/route_request.h, applied by services/query): `params` names
// the query parameters it accepts (any other name, or a repeat, is a 400 naming it),
// and `customer_in_path` says its first group is a customer id (checked like an
// event's customer_id: 400 for '/', control characters or invalid UTF-8).
struct Route {
  std::string pattern;
  std::function<HttpResponse(const HttpRequest&)> answer;
  std::function<Result<ChunkSource>(const HttpRequest&)> stream = {};
  std::vector<std::string> params = {};
  bool customer_in_path = false;
};

}  // namespace rapport::projections
