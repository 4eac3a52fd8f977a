#include "services/http/route_table.h"

#include <spdlog/spdlog.h>

#include <utility>

namespace rapport::services {

void RouteTable::Add(std::string method, const std::string& pattern, RouteHandler answer,
                     StreamOpener stream) {
  auto compiled = projections::RoutePattern::Compile(pattern);
  if (!compiled.ok())
    spdlog::error("http: route {} never matches: {}", pattern, compiled.status().ToString());
  std::optional<projections::RoutePattern> kept;
  if (compiled.ok()) kept = std::move(compiled).value();
  entries_.push_back(
      RouteEntry{std::move(method), pattern, std::move(kept), std::move(answer), std::move(stream)});
}

RouteMatch RouteTable::Find(std::string_view method, const std::string& path) const {
  const std::string_view wanted = method == "HEAD" ? std::string_view("GET") : method;
  RouteMatch out;
  for (const RouteEntry& entry : entries_) {
    if (entry.method != wanted || !entry.compiled) continue;
    auto groups = entry.compiled->Match(path);
    if (!groups) continue;
    out.route = &entry;
    out.groups = std::move(*groups);
    return out;
  }
  return out;
}

}  // namespace rapport::services
