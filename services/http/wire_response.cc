#include "services/http/wire_response.h"

#include <cstdio>

#include <boost/beast/http/status.hpp>

namespace rapport::services {

namespace {

void AppendStatusLine(std::string& out, int status) {
  const auto reason = boost::beast::http::obsolete_reason(static_cast<boost::beast::http::status>(status));
  out += "HTTP/1.1 " + std::to_string(status) + " ";
  out.append(reason.data(), reason.size());
  out += "\r\n";
}

void AppendHeader(std::string& out, std::string_view name, std::string_view value) {
  out.append(name);
  out += ": ";
  out.append(value);
  out += "\r\n";
}

void AppendCommonHeaders(std::string& out, const WireOptions& options) {
  if (!options.request_id.empty()) AppendHeader(out, "X-Request-Id", options.request_id);
  AppendHeader(out, "Connection", options.keep_alive ? "keep-alive" : "close");
}

}  // namespace

std::string WireResponse(const HttpResponse& response, const WireOptions& options) {
  std::string out;
  out.reserve(160 + response.body.size());
  AppendStatusLine(out, response.status);
  if (!response.content_type.empty()) AppendHeader(out, "Content-Type", response.content_type);
  for (const auto& [name, value] : response.headers) AppendHeader(out, name, value);
  AppendHeader(out, "Content-Length", std::to_string(response.body.size()));
  AppendCommonHeaders(out, options);
  out += "\r\n";
  if (!options.head) out += response.body;
  return out;
}

std::string WireStreamHead(const WireOptions& options) {
  std::string out;
  AppendStatusLine(out, 200);
  AppendHeader(out, "Content-Type", "text/event-stream");
  AppendHeader(out, "Cache-Control", "no-cache");
  AppendHeader(out, "Transfer-Encoding", "chunked");
  AppendCommonHeaders(out, options);
  out += "\r\n";
  return out;
}

std::string WireChunk(std::string_view data) {
  char size[24];
  std::snprintf(size, sizeof size, "%zx\r\n", data.size());
  std::string out(size);
  out.append(data);
  out += "\r\n";
  return out;
}

}  // namespace rapport::services
