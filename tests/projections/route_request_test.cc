// The library-independent request path (projections/runtime/route_request.h): query
// strings, route patterns, and the checks made before a handler runs.

#include <regex>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "projections/runtime/route_request.h"

namespace rapport::projections {
namespace {

TEST_CASE("query string: pieces in order, percent-decoded, repeats kept", "[http][query]") {
  auto params = ParseQueryString("tier=A&limit=5&&cursor=c%2D1+x&flag&tier=B");
  REQUIRE(params.ok());
  CHECK(*params == QueryParams{{"tier", "A"}, {"limit", "5"}, {"cursor", "c-1 x"}, {"flag", ""}, {"tier", "B"}});
  CHECK(ParseQueryString("")->empty());
  auto bad = ParseQueryString("since=%zz");
  CHECK(bad.status().field() == "since");
  CHECK(ParseQueryString("a=%4").status().code() == StatusCode::kInvalidArgument);
  CHECK(DecodePercent("%41%62", false) == "Ab");
  CHECK(DecodePercent("a+b", false) == "a+b");
  CHECK_FALSE(DecodePercent("%", false).has_value());
}

TEST_CASE("route pattern: matches as std::regex_match does, without std::regex", "[http][route]") {
  const std::vector<std::string> patterns = {R"(/v1/customers/([^/]+))", R"(/v1/customers/([^/]+)/alerts)",
                                             "/v1/customers", "/v1/alerts/stream"};
  const std::vector<std::string> paths = {"/v1/customers/c-1",  "/v1/customers/c-1/alerts", "/v1/customers/",
                                          "/v1/customers",      "/v1/customers/a/b",        "/v1/customers//alerts",
                                          "/v1/alerts/stream",  "/v1/alerts/streamx",       "",
                                          "/v1/customers/%FF",  "/v1/customers/c-1/alerts/"};
  for (const std::string& pattern : patterns) {
    auto compiled = RoutePattern::Compile(pattern);
    REQUIRE(compiled.ok());
    const std::regex regex(pattern);
    for (const std::string& path : paths) {
      INFO(pattern << " ~ " << path);
      std::smatch m;
      const bool expected = std::regex_match(path, m, regex);
      auto got = compiled->Match(path);
      REQUIRE(got.has_value() == expected);
      if (expected) CHECK(*got == std::vector<std::string>(m.begin(), m.end()));
    }
  }
  CHECK(RoutePattern::Compile("/v1/(.*)").status().field() == "pattern");
  // A 1 MiB path costs a scan, not a stack frame per byte.
  CHECK(RoutePattern::Compile(R"(/v1/customers/([^/]+))")->Match("/v1/customers/" + std::string(1 << 20, 'a')));
}

TEST_CASE("route match: the first route whose pattern matches the whole path", "[http][route]") {
  std::vector<Route> routes = {{"/v1/customers", nullptr}, {R"(/v1/customers/([^/]+))", nullptr},
                               {R"(/v1/customers/([^/]+)/loyalty)", nullptr}};
  auto match = MatchRoute(routes, "/v1/customers/c-9/loyalty");
  REQUIRE(match.has_value());
  CHECK(match->index == 2);
  CHECK(match->matches == std::vector<std::string>{"/v1/customers/c-9/loyalty", "c-9"});
  CHECK_FALSE(MatchRoute(routes, "/v1/customers/c-9/nothing").has_value());
}

TEST_CASE("route check: unknown and repeated parameters and bad customer ids are 400 before the handler",
          "[http][route]") {
  int called = 0;
  Route route = WithRequestCheck({R"(/v1/customers/([^/]+))",
                                  [&called](const HttpRequest&) {
                                    ++called;
                                    return JsonResponse(200, {{"ok", true}});
                                  },
                                  {},
                                  {"limit"},
                                  /*customer_in_path=*/true});
  auto answer = [&](std::string id, QueryParams params) {
    HttpRequest request;
    request.matches = {"/v1/customers/" + id, id};
    request.params = std::move(params);
    return route.answer(request);
  };
  CHECK(answer("c-1", {{"limit", "5"}}).status == 200);
  CHECK(called == 1);
  struct Case {
    std::string id;
    QueryParams params;
    std::string field;
    std::string reason;
  };
  const std::vector<Case> cases = {
      {"c-1", {{"limt", "5"}}, "limt", "unknown parameter (known: limit)"},
      {"c-1", {{"limit", "5"}, {"limit", "6"}}, "limit", "given more than once"},
      {"c\x01", {}, "customer_id", "must be UTF-8 without control characters"},
      {"c\xff", {}, "customer_id", "must be UTF-8 without control characters"},
      {std::string(65, 'c'), {}, "customer_id", "must be at most 64 bytes, got 65"},
      {"c-1", {{"\xff\xfe", "x"}}, "\xff\xfe", "unknown parameter (known: limit)"},
  };
  for (const Case& c : cases) {
    INFO(c.field);
    HttpResponse response = answer(c.id, c.params);
    CHECK(response.status == 400);
    // The body is JSON even when the input echoed in it is not UTF-8.
    auto body = nlohmann::json::parse(response.body);
    CHECK(body["reason"] == c.reason);
    if (c.field.find('\xff') == std::string::npos) CHECK(body["field"] == c.field);
  }
  CHECK(called == 1);

  // Streams are checked the same way, before the stream starts.
  int streams = 0;
  Route stream = WithRequestCheck({"/v1/alerts/stream", nullptr, [&streams](const HttpRequest&) -> Result<ChunkSource> {
                                     ++streams;
                                     return ChunkSource([] { return std::nullopt; });
                                   },
                                   {"after"}});
  HttpRequest repeated;
  repeated.params = {{"after", "1"}, {"after", "2"}};
  CHECK(stream.stream(repeated).status().field() == "after");
  CHECK(streams == 0);
}

TEST_CASE("error body: invalid UTF-8 in a reason or field never makes the writer throw", "[http]") {
  HttpResponse response;
  CHECK_NOTHROW(response = ErrorResponse(Status::InvalidArgument("cust\xc3", "unknown customer \xe2\x82")));
  CHECK(response.status == 400);
  auto body = nlohmann::json::parse(response.body);
  CHECK(body["field"] == "cust\xef\xbf\xbd");  // U+FFFD in place of the bad bytes
}

}  // namespace
}  // namespace rapport::projections
