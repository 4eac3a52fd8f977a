#pragma once
// A request target ("/v1/customers/c%2D1?tier=A&x=1") split into its decoded path
// and its query parameters, the way cpp-httplib decoded them before: the path is
// percent-decoded ('+' stays '+'), each parameter's name and value are
// percent-decoded with '+' as a space, in request order with repeats kept.

#include <string>
#include <string_view>

#include "services/http/http_response.h"

namespace rapport::services {

struct RequestTarget {
  std::string path;
  QueryParams params;
};

RequestTarget ParseRequestTarget(std::string_view target);

// %XX escapes decoded (a malformed escape stays as it is); `plus_is_space` for queries.
std::string PercentDecode(std::string_view text, bool plus_is_space);

}  // namespace rapport::services
