#include "services/http/request_target.h"

#include "projections/runtime/route_request.h"

namespace rapport::services {

RequestTarget ParseRequestTarget(std::string_view target) {
  RequestTarget out;
  const size_t question = target.find('?');
  auto path = projections::DecodePercent(target.substr(0, question), /*plus_is_space=*/false);
  if (!path) {
    out.path = std::string(target.substr(0, question));
    out.error = Status::InvalidArgument("path", "bad percent-escape");
    return out;
  }
  out.path = std::move(*path);
  if (question == std::string_view::npos) return out;
  auto params = projections::ParseQueryString(target.substr(question + 1));
  if (!params.ok()) {
    out.error = params.status();
    return out;
  }
  for (auto& param : *params) {
    if (!param.first.empty()) out.params.push_back(std::move(param));  // "=v": no name to look up
  }
  return out;
}

}  // namespace rapport::services
