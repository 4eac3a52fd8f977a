#pragma once
// HttpResponse to HTTP/1.1 bytes: status line, headers and body in one string, so
// each response leaves in one write (no Nagle wait between headers and body).
// Streams (Server-Sent Events) are a chunked head, then one chunk per event.

#include <string>
#include <string_view>

#include "services/http/http_response.h"

namespace rapport::services {

struct WireOptions {
  std::string_view request_id;
  bool keep_alive = true;
  bool head = false;  // HEAD: headers (with the body's length) but no body
};

std::string WireResponse(const HttpResponse& response, const WireOptions& options);
// The head of a text/event-stream answer sent in chunks.
std::string WireStreamHead(const WireOptions& options);
// One chunk of a chunked body; an empty `data` is the last chunk.
std::string WireChunk(std::string_view data);

}  // namespace rapport::services
