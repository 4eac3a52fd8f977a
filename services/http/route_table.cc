#include "services/http/route_table.h"

#include <utility>

namespace rapport::services {

void RouteTable::Add(std::string method, const std::string& pattern, RouteHandler answer, StreamOpener stream) {
  entries_.push_back(RouteEntry{std::move(method), pattern, std::regex(pattern), std::move(answer), std::move(stream)});
}

RouteMatch RouteTable::Find(std::string_view method, const std::string& path) const {
  const std::string_view wanted = method == "HEAD" ? std::string_view("GET") : method;
  RouteMatch out;
  std::smatch groups;
  for (const RouteEntry& entry : entries_) {
    if (entry.method != wanted || !std::regex_match(path, groups, entry.regex)) continue;
    out.route = &entry;
    for (const auto& group : groups) out.groups.push_back(group.str());
    return out;
  }
  return out;
}

}  // namespace rapport::services
