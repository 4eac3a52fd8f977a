// The access layer without Kafka: roles, tokens, the route table, record
// signatures, the credential table, the gate and the rate limiter
// (services/access, docs/security.md). The platform-level behaviour is in
// tests/integration/access_test.cc.

#include <fstream>
#include <set>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "events/record_signature.h"
#include "services/access/access_gate.h"
#include "services/access/cluster_secret.h"
#include "services/access/credential_store.h"
#include "services/access/credential_writer.h"
#include "services/access/rate_limiter.h"
#include "services/access/roles.h"
#include "services/access/route_roles.h"
#include "services/access/token.h"
#include "tests/support/temp_dir.h"

namespace rapport::services {
namespace {

constexpr const char* kSecret = "0123456789abcdef0123456789abcdef";

// The record `credential` makes on the topic, at `offset`, signed with `secret`
// (none when empty).
events::TopicRecord RecordOf(const Credential& credential, int64_t offset, const std::string& secret = kSecret) {
  events::TopicRecord record;
  record.topic = "rapport.credentials";
  record.offset = Offset(offset);
  record.key = credential.name;
  record.value = EncodeCredential(credential);
  if (!secret.empty()) {
    record.headers.emplace_back(std::string(events::kHeaderSignature),
                                events::RecordSignature(secret, *record.key, *record.value));
  }
  return record;
}

IssuedCredential Issued(const std::string& name, RoleSet roles) {
  auto issued = NewCredential(name, roles, 1'767'225'600'000);
  REQUIRE(issued.ok());
  return std::move(issued).value();
}

RoleSet Only(Role role) {
  RoleSet set;
  set.Add(role);
  return set;
}

projections::HeaderLookup Bearer(const std::string& token) {
  return [token](const std::string& name) { return name == "Authorization" && !token.empty() ? "Bearer " + token : ""; };
}

TEST_CASE("roles: a list parses; an unknown or empty role names the field", "[access]") {
  auto roles = ParseRoleList("publish,read", "--role");
  REQUIRE(roles.ok());
  CHECK(roles->Has(Role::kPublish));
  CHECK(roles->Has(Role::kRead));
  CHECK_FALSE(roles->Has(Role::kAdmin));
  CHECK(roles->Names() == std::vector<std::string>{"publish", "read"});
  auto unknown = ParseRoleList("read,root", "--role");
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.status().field() == "--role");
  CHECK_THAT(unknown.status().message(), Catch::Contains("root"));
  CHECK_FALSE(ParseRoleList("read,", "--role").ok());
  CHECK(RoleSet::All().Names().size() == kRoleCount);
}

TEST_CASE("tokens: 256 random bits in base64url, stored as SHA-256, read from a Bearer header", "[access]") {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    auto token = NewToken();
    REQUIRE(token.ok());
    CHECK(token->size() == 43);
    CHECK(token->find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
          std::string::npos);
    seen.insert(*token);
  }
  CHECK(seen.size() == 100);
  CHECK(TokenHash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(SameHash(TokenHash("x"), TokenHash("x")));
  CHECK_FALSE(SameHash(TokenHash("x"), TokenHash("y")));
  CHECK(BearerToken("Bearer abc") == "abc");
  CHECK(BearerToken("bearer abc ") == "abc");
  CHECK(BearerToken("Basic abc").empty());
  CHECK(BearerToken("Bearer ").empty());
}

TEST_CASE("route table: paths match whole segments; a path in no line has no rule", "[access]") {
  CHECK(RuleFor("GET", "/v1/customers/c-1")->role == Role::kRead);
  CHECK(RuleFor("HEAD", "/v1/customers/c-1")->role == Role::kRead);
  CHECK(RuleFor("GET", "/v1/alerts/stream")->role == Role::kAlerts);
  CHECK(RuleFor("POST", "/v1/events")->role == Role::kPublish);
  CHECK(RuleFor("GET", "/metrics")->role == Role::kMetrics);
  CHECK_FALSE(RuleFor("GET", "/healthz")->role.has_value());
  CHECK(RuleFor("GET", "/v1/events") == nullptr);           // wrong method
  CHECK(RuleFor("POST", "/v1/customers/c-1") == nullptr);  // wrong method
  CHECK(RuleFor("GET", "/v1/customers/") == nullptr);       // an empty id
  CHECK(RuleFor("GET", "/v1/customers/a/b")->role == Role::kRead);  // a projection's per-customer view
  CHECK(RuleFor("GET", "/v1/customers/a/b/c") == nullptr);
  CHECK(RuleFor("GET", "/v1/segments/x")->role == Role::kRead);
  CHECK(RuleFor("GET", "/v1/alerts/x") == nullptr);
  CHECK(RuleFor("GET", "/v1/customers/c-1/") == nullptr);
  CHECK(RuleFor("GET", "/healthz/x") == nullptr);
  CHECK(PathMatches("/v1/customers/{id}/alerts", "/v1/customers/x/alerts"));
  CHECK_FALSE(PathMatches("/v1/customers/{id}/alerts", "/v1/customers/x/alert"));
}

TEST_CASE("record signatures cover the key and the value", "[access]") {
  const std::string signature = events::RecordSignature(kSecret, "k", "v");
  CHECK(signature.size() == 64);
  CHECK(events::VerifyRecordSignature(kSecret, "k", "v", signature).ok());
  CHECK_FALSE(events::VerifyRecordSignature(kSecret, "k2", "v", signature).ok());
  CHECK_FALSE(events::VerifyRecordSignature(kSecret, "k", "v2", signature).ok());
  CHECK_FALSE(events::VerifyRecordSignature("another secret", "k", "v", signature).ok());
  CHECK_THAT(events::VerifyRecordSignature(kSecret, "k", "v", std::nullopt).message(), Catch::Contains("unsigned"));
  // "k" + "kv" and "kk" + "v" are different records.
  CHECK(events::RecordSignature(kSecret, "k", "kv") != events::RecordSignature(kSecret, "kk", "v"));
}

TEST_CASE("credential table: signed records apply; forged, unsigned and stale ones do not", "[access]") {
  auto store = CredentialStore::Detached(kSecret);
  const IssuedCredential alice = Issued("alice", Only(Role::kRead));
  CHECK(store->Authenticate("Bearer " + alice.token).reason == "unknown token");
  CHECK_FALSE(store->ever_held_any());

  store->Apply(RecordOf(alice.credential, 0, "not the cluster secret at all...."));
  store->Apply(RecordOf(alice.credential, 1, ""));
  CHECK_FALSE(store->Authenticate("Bearer " + alice.token).caller.has_value());
  CHECK_FALSE(store->ever_held_any());

  store->Apply(RecordOf(alice.credential, 2));
  auto known = store->Authenticate("Bearer " + alice.token);
  REQUIRE(known.caller.has_value());
  CHECK(known.caller->name == "alice");
  CHECK(known.caller->roles == Only(Role::kRead));

  // A signed record under another key is not taken (replay under a new name).
  events::TopicRecord moved = RecordOf(alice.credential, 3);
  moved.key = "mallory";
  store->Apply(moved);
  CHECK(store->List().size() == 1);

  Credential revoked = alice.credential;
  revoked.revoked = true;
  store->Apply(RecordOf(revoked, 4));
  CHECK_THAT(store->Authenticate("Bearer " + alice.token).reason, Catch::Contains("revoked"));
  // Read again from the start (the follow restarted): the older grant does not return.
  store->Apply(RecordOf(alice.credential, 2));
  CHECK_FALSE(store->Authenticate("Bearer " + alice.token).caller.has_value());

  const IssuedCredential bob = Issued("bob", Only(Role::kAdmin));
  store->Apply(RecordOf(bob.credential, 5));
  REQUIRE(store->Authenticate("Bearer " + bob.token).caller.has_value());
  events::TopicRecord tombstone = RecordOf(bob.credential, 6, "");
  tombstone.value.reset();
  store->Apply(tombstone);
  CHECK(store->Authenticate("Bearer " + bob.token).reason == "unknown token");
  CHECK(store->Authenticate("").reason.starts_with("no bearer token"));
}

TEST_CASE("gate: open routes pass; 401 without a valid token, 403 without the role, JSON naming both",
          "[access]") {
  auto store = CredentialStore::Detached(kSecret);
  const IssuedCredential reader = Issued("reader", Only(Role::kRead));
  store->Apply(RecordOf(reader.credential, 0));
  AccessGate gate(*store, AccessSettings{});

  CHECK_FALSE(gate.Admit("GET", "/healthz", Bearer("")).refusal.has_value());

  auto none = gate.Admit("GET", "/v1/customers/c-1", Bearer(""));
  REQUIRE(none.refusal.has_value());
  CHECK(none.refusal->status == 401);
  auto body = nlohmann::json::parse(none.refusal->body);
  CHECK(body["error"] == "unauthenticated");
  CHECK(body["role"] == "read");
  CHECK(gate.Admit("GET", "/v1/customers/c-1", Bearer("wrong")).refusal->status == 401);

  auto allowed = gate.Admit("GET", "/v1/customers/c-1", Bearer(reader.token));
  CHECK_FALSE(allowed.refusal.has_value());
  CHECK(allowed.credential_name == "reader");

  auto forbidden = gate.Admit("GET", "/v1/alerts", Bearer(reader.token));
  REQUIRE(forbidden.refusal.has_value());
  CHECK(forbidden.refusal->status == 403);
  body = nlohmann::json::parse(forbidden.refusal->body);
  CHECK(body["role"] == "alerts");
  CHECK_THAT(body["reason"].get<std::string>(), Catch::Contains("reader"));
  CHECK(forbidden.credential_name == "reader");

  auto unmapped = gate.Admit("GET", "/v1/secret", Bearer(reader.token));
  REQUIRE(unmapped.refusal.has_value());
  CHECK(unmapped.refusal->status == 403);  // fail closed
}

TEST_CASE("gate: a role's rate limit answers 429 with Retry-After, per credential", "[access]") {
  auto store = CredentialStore::Detached(kSecret);
  const IssuedCredential a = Issued("a", Only(Role::kRead));
  const IssuedCredential b = Issued("b", Only(Role::kRead));
  store->Apply(RecordOf(a.credential, 0));
  store->Apply(RecordOf(b.credential, 1));
  AccessSettings settings;
  settings.rate_limits.read = {0.5, 2};  // a request every 2 s, bursts of 2
  AccessGate gate(*store, settings);
  CHECK_FALSE(gate.Admit("GET", "/v1/customers/x", Bearer(a.token)).refusal.has_value());
  CHECK_FALSE(gate.Admit("GET", "/v1/customers/x", Bearer(a.token)).refusal.has_value());
  auto limited = gate.Admit("GET", "/v1/customers/x", Bearer(a.token));
  REQUIRE(limited.refusal.has_value());
  CHECK(limited.refusal->status == 429);
  CHECK(limited.refusal->headers == std::vector<std::pair<std::string, std::string>>{{"Retry-After", "2"}});
  CHECK(nlohmann::json::parse(limited.refusal->body)["role"] == "read");
  CHECK_FALSE(gate.Admit("GET", "/v1/customers/x", Bearer(b.token)).refusal.has_value());  // b's own bucket
}

TEST_CASE("rate limiter: off by default; refills at its rate", "[access]") {
  RateLimiter off(AccessSettings{});
  for (int i = 0; i < 1000; ++i) REQUIRE_FALSE(off.Take("x", Role::kPublish).has_value());

  AccessSettings settings;
  settings.rate_limits.publish = {10, 0};  // burst: one second's worth
  RateLimiter limiter(settings);
  const auto t0 = RateLimiter::Clock::now();
  for (int i = 0; i < 10; ++i) REQUIRE_FALSE(limiter.Take("x", Role::kPublish, t0).has_value());
  auto wait = limiter.Take("x", Role::kPublish, t0);
  REQUIRE(wait.has_value());
  CHECK(wait->count() == 100);
  CHECK_FALSE(limiter.Take("x", Role::kPublish, t0 + std::chrono::milliseconds(100)).has_value());
  CHECK_FALSE(limiter.Take("x", Role::kRead, t0).has_value());  // other roles: no limit set
}

TEST_CASE("cluster secret: created once by up, read by the others; missing or short names the key", "[access]") {
  testing::TempDir dir;
  Config config;
  config.data_dir = dir.str();
  auto missing = LoadClusterSecret(config, /*create_if_missing=*/false);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().field() == "access.cluster_secret_file");
  auto created = LoadClusterSecret(config, /*create_if_missing=*/true);
  REQUIRE(created.ok());
  CHECK(created->size() == 64);
  auto again = LoadClusterSecret(config, /*create_if_missing=*/true);
  REQUIRE(again.ok());
  CHECK(*again == *created);  // not made anew
  {
    std::ofstream out(dir.path() / "short.secret");
    out << "too short\n";
  }
  config.access.cluster_secret_file = (dir.path() / "short.secret").string();
  auto short_secret = LoadClusterSecret(config, /*create_if_missing=*/true);
  REQUIRE_FALSE(short_secret.ok());
  CHECK(short_secret.status().field() == "access.cluster_secret_file");
  CHECK_THAT(short_secret.status().message(), Catch::Contains("at least 32"));
}

}  // namespace
}  // namespace rapport::services
