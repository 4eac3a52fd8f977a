// libFuzzer target: the library-independent request path of the query API, as any
// HTTP server drives it (projections/runtime/route_request.h). The input is a
// request target ("/v1/customers/c-1?tier=A"). Checks, besides "never crashes, never
// throws":
//   - the path is matched against every registered route's pattern, and the
//     matcher agrees with std::regex_match on short paths;
//   - a matched route's answer (the stores are absent, so after the parameter and
//     customer id checks it is 503) is never a 500 and its body is always JSON;
//   - every 400 names a field or gives a reason, and the error body writer turns
//     any bytes into JSON.

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "events/validation.h"
#include "projections/registry/registered_projections.h"
#include "projections/runtime/route_request.h"

namespace {

using namespace rapport;  // NOLINT: a fuzz driver

void Check(bool condition, const char* what) {
  if (!condition) {
    std::fprintf(stderr, "http request path broken: %s\n", what);
    std::abort();
  }
}

struct Routes {
  std::atomic<bool> stopping{false};
  std::vector<projections::Route> routes;
  std::vector<std::regex> regexes;
};

const Routes& RegisteredRoutes() {
  static Routes* routes = [] {
    auto* out = new Routes;
    for (const projections::ProjectionModule* module : projections::RegisteredProjections()) {
      if (!module->routes) continue;
      projections::ServeContext context;
      context.stopping = &out->stopping;
      for (projections::Route& route : module->routes(context)) {
        Check(projections::RoutePattern::Compile(route.pattern).ok(),
              "a registered pattern does not compile");
        out->regexes.emplace_back(route.pattern);
        out->routes.push_back(projections::WithRequestCheck(std::move(route)));
      }
    }
    return out;
  }();
  return *routes;
}

// A response as a server would send it: never 500, always a JSON body.
void CheckResponse(const projections::HttpResponse& response) {
  Check(response.status != 500, "a request was answered with 500");
  auto body = nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  Check(!body.is_discarded(), "a response body is not JSON");
  if (response.status == 400) {
    Check(body.contains("field") || !body["reason"].get<std::string>().empty(), "a 400 names nothing");
  }
}

void Serve(const Routes& routes, const std::string& path, const projections::QueryParams& params) {
  auto match = projections::MatchRoute(routes.routes, path);
  if (path.size() <= 512) {
    // Differential: the hand-written matcher against the regular expressions.
    for (size_t i = 0; i < routes.regexes.size(); ++i) {
      const bool regex = std::regex_match(path, routes.regexes[i]);
      const bool ours = projections::RoutePattern::Compile(routes.routes[i].pattern)->Match(path).has_value();
      Check(regex == ours, "the route matcher disagrees with std::regex_match");
    }
  }
  if (!match) return;
  const projections::Route& route = routes.routes[match->index];
  projections::HttpRequest request;
  request.matches = std::move(match->matches);
  request.params = params;
  request.header = [](const std::string&) { return std::string(); };
  if (route.answer) {
    CheckResponse(route.answer(request));
  } else {
    auto source = route.stream(request);  // without a store: an error, never a stream
    if (!source.ok()) CheckResponse(projections::ErrorResponse(source.status()));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view target(reinterpret_cast<const char*>(data), size);
  const Routes& routes = RegisteredRoutes();
  const size_t question = target.find('?');
  const std::string_view raw_path = target.substr(0, question);
  const std::string_view raw_query =
      question == std::string_view::npos ? std::string_view() : target.substr(question + 1);

  // The error body writer takes any bytes.
  CheckResponse(projections::ErrorResponse(
      Status::InvalidArgument(std::string(target.substr(0, 64)), "got " + std::string(target))));
  (void)events::ValidateCustomerId(target, "customer_id");

  auto params = projections::ParseQueryString(raw_query);
  if (!params.ok()) {
    Check(params.status().code() == StatusCode::kInvalidArgument, "a bad query string is not a 400");
    CheckResponse(projections::ErrorResponse(params.status()));
    return 0;
  }
  if (auto path = projections::DecodePercent(raw_path, false)) Serve(routes, *path, *params);
  return 0;
}
