// Every route the query API serves refuses unknown and repeated query parameters
// and bad customer ids with a 400 naming them, before its handler runs (no store is
// needed to say so: these services have none, and would answer 503).

#include <atomic>
#include <regex>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "projections/registry/registered_projections.h"
#include "projections/runtime/route_request.h"
#include "services/query/query_service.h"

namespace rapport::services {
namespace {

QueryService AllRoutesWithoutStores(const std::atomic<bool>& stopping) {
  std::vector<ServedProjection> served;
  for (const projections::ProjectionModule* module : projections::RegisteredProjections()) {
    served.push_back({module, nullptr});
  }
  return QueryService(std::move(served), projections::DomainSettings{}, nullptr, stopping);
}

// The request the server would make of `path` for `route`.
projections::HttpRequest RequestFor(const projections::Route& route, const std::string& path,
                                    projections::QueryParams params) {
  projections::HttpRequest request;
  auto matches = projections::RoutePattern::Compile(route.pattern)->Match(path);
  REQUIRE(matches.has_value());
  request.matches = *matches;
  request.params = std::move(params);
  request.header = [](const std::string&) { return std::string(); };
  return request;
}

// Status and body of a route's answer, or of the error its stream starts with.
std::pair<int, nlohmann::json> Ask(const projections::Route& route, const projections::HttpRequest& request) {
  if (route.answer) {
    HttpResponse response = route.answer(request);
    return {response.status, nlohmann::json::parse(response.body)};
  }
  auto source = route.stream(request);
  if (source.ok()) return {200, nullptr};
  HttpResponse response = ErrorResponse(source.status());
  return {response.status, nlohmann::json::parse(response.body)};
}

// A path for `pattern` with `id` in its group.
std::string PathOf(const std::string& pattern, const std::string& id) {
  return std::regex_replace(pattern, std::regex(R"(\(\[\^/\]\+\))"), id);
}

TEST_CASE("query routes: every pattern is a plain route pattern", "[query][route]") {
  std::atomic<bool> stopping{false};
  QueryService query = AllRoutesWithoutStores(stopping);
  REQUIRE(query.routes().size() >= 10);
  for (const projections::Route& route : query.routes()) {
    INFO(route.pattern);
    CHECK(projections::RoutePattern::Compile(route.pattern).ok());
    // A route with a group takes a customer id there.
    CHECK(route.customer_in_path == (route.pattern.find("([^/]+)") != std::string::npos));
  }
}

TEST_CASE("query routes: unknown and repeated parameters are a 400 naming them, on every route", "[query][route]") {
  std::atomic<bool> stopping{false};
  QueryService query = AllRoutesWithoutStores(stopping);
  for (const projections::Route& route : query.routes()) {
    INFO(route.pattern);
    const std::string path = PathOf(route.pattern, "c-1");
    auto [status, body] = Ask(route, RequestFor(route, path, {{"bogus", "1"}}));
    CHECK(status == 400);
    CHECK(body["field"] == "bogus");
    CHECK_THAT(body["reason"].get<std::string>(), Catch::StartsWith("unknown parameter"));
    for (const std::string& name : route.params) {
      INFO(name);
      auto [repeated, repeated_body] = Ask(route, RequestFor(route, path, {{name, "x"}, {name, "y"}}));
      CHECK(repeated == 400);
      CHECK(repeated_body["field"] == name);
      CHECK(repeated_body["reason"] == "given more than once");
    }
    // Without parameters the request reaches the handler: no store here, so 503.
    CHECK(Ask(route, RequestFor(route, path, {})).first == 503);
  }
}

TEST_CASE("query routes: a customer id with control characters or invalid UTF-8 is a 400", "[query][route]") {
  std::atomic<bool> stopping{false};
  QueryService query = AllRoutesWithoutStores(stopping);
  for (const projections::Route& route : query.routes()) {
    if (!route.customer_in_path) continue;
    for (const std::string& id : {std::string("c\x01"), std::string("c\xff\xfe"), std::string(65, 'c')}) {
      INFO(route.pattern << " " << id);
      auto [status, body] = Ask(route, RequestFor(route, PathOf(route.pattern, id), {}));
      CHECK(status == 400);
      CHECK(body["field"] == "customer_id");
    }
  }
  // The customer answer the scaled-out router calls checks the id too.
  HttpResponse routed = query.GetCustomer("c\xff");
  CHECK(routed.status == 400);
  CHECK(nlohmann::json::parse(routed.body)["field"] == "customer_id");
}

}  // namespace
}  // namespace rapport::services
