#pragma once
// What a handler answers, independent of the HTTP library, so handlers are plain
// functions that tests can call directly.

#include <string>

#include <nlohmann/json.hpp>

#include "events/status.h"

namespace rapport::services {

struct HttpResponse {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
};

inline HttpResponse JsonResponse(int status, const nlohmann::json& body) {
  return HttpResponse{status, body.dump(), "application/json"};
}

// {"error": "<code>", "field": "...", "reason": "..."} with the matching HTTP status.
HttpResponse ErrorResponse(const Status& status);
int HttpStatusFor(StatusCode code);

}  // namespace rapport::services
