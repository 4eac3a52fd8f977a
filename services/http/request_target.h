#pragma once
// A request target ("/v1/customers/c%2D1?tier=A&x=1") split into its decoded path
// and its query parameters, the way cpp-httplib decoded them before: the path is
// percent-decoded ('+' stays '+'), the query is parsed by
// projections::ParseQueryString ('+' is a space, request order, repeats kept), and a
// parameter without a name ("=v") is dropped.

#include <string>
#include <string_view>

#include "services/http/http_response.h"

namespace rapport::services {

struct RequestTarget {
  std::string path;
  QueryParams params;
  Status error;  // a bad percent-escape (answered 400, naming the parameter or "path")
};

RequestTarget ParseRequestTarget(std::string_view target);

}  // namespace rapport::services
