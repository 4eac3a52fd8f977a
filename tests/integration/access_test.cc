// Who may do what (services/access, docs/security.md), against a real embedded
// platform: every mounted route has a line in the route table; each role against
// each route class is allowed, 401 without a valid token and 403 without the role;
// the admin-only event types; forged records of the three signed topics are
// rejected; and `rapport keys` beside a running `rapport up`.

#include <sys/stat.h>

#include <csignal>
#include <map>
#include <regex>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "events/json_codec.h"
#include "events/record_signature.h"
#include "services/access/credential_writer.h"
#include "services/access/route_roles.h"
#include "services/access/token.h"
#include "services/cluster/instance_registry.h"
#include "services/model/model_parameters_topic.h"
#include "tests/support/admin_token.h"
#include "tests/support/child_process.h"
#include "tests/support/embedded_platform.h"
#include "tests/support/event_builders.h"
#include "tests/support/json_events.h"
#include "tests/support/wait.h"

namespace rapport {
namespace {

using json = nlohmann::json;
using services::Role;

// The platform's own Kafka settings as an outside client holds them: the embedded
// cluster's address and the cluster secret.
events::KafkaSettings PlatformKafka(const services::Platform& platform) {
  events::KafkaSettings kafka = platform.config().kafka;
  kafka.bootstrap_servers = platform.bootstrap_servers();
  return kafka;
}

// Creates `name` holding `roles` and waits until the platform accepts it.
std::string Issue(services::Platform& platform, const std::string& name, services::RoleSet roles) {
  auto issued = services::NewCredential(name, roles, 1'767'225'600'000);
  REQUIRE(issued.ok());
  REQUIRE(services::PublishCredential(*platform.publisher(), PlatformKafka(platform), issued->credential).ok());
  REQUIRE(platform.credentials().WaitUntilKnown(name, issued->credential.token_hash, std::chrono::seconds(30)));
  return issued->token;
}

services::RoleSet Only(Role role) {
  services::RoleSet set;
  set.Add(role);
  return set;
}

// A concrete path for a mounted pattern: each group becomes one customer id.
std::string PathOf(const std::string& pattern) { return std::regex_replace(pattern, std::regex(R"(\(\[\^/\]\+\))"), "c-1"); }

std::string PurchaseBody(const std::string& event_id) {
  return testing::PurchaseLine(event_id, "c-1", testing::Day(1), "o-" + event_id, 100);
}

std::string ErasedLine(const std::string& event_id, const std::string& customer) {
  events::Event erased = testing::Purchase(customer, testing::Day(2), 1);
  erased.event_id = EventId(event_id);
  erased.payload = events::CustomerErased{};
  return events::EncodeJsonEvent(erased) + "\n";
}

struct Answer {
  int status = 0;
  json body;
};

// One request as a client with `token` ("" for none) sends it. A stream's status is
// read from its headers and the stream dropped.
Answer Call(const services::Platform& platform, const std::string& method, const std::string& path,
            const std::string& token, const std::string& body = "") {
  httplib::Client client("127.0.0.1", platform.http_port());
  client.set_read_timeout(30, 0);
  if (!token.empty()) client.set_bearer_token_auth(token);
  Answer answer;
  if (method == "POST") {
    auto response = client.Post(path, body, "application/json");
    REQUIRE(response);
    return {response->status, json::parse(response->body, nullptr, false)};
  }
  std::string received;
  client.Get(
      path, httplib::Headers{},
      [&](const httplib::Response& response) {
        answer.status = response.status;
        // An event stream that started: nothing more to learn from it.
        return response.get_header_value("Content-Type") != "text/event-stream";
      },
      [&](const char* data, size_t size) {
        received.append(data, size);
        return true;
      });
  REQUIRE(answer.status != 0);
  answer.body = json::parse(received, nullptr, false);
  return answer;
}

TEST_CASE("access: every mounted route has a line in the route table", "[integration][access]") {
  testing::TempDir dir;
  auto platform = testing::StartReadyPlatform(testing::TestConfig(dir));
  REQUIRE(platform->mounted_routes().size() > 10);
  for (const auto& route : platform->mounted_routes()) {
    INFO(route.method << " " << route.pattern);
    CHECK(services::RuleFor(route.method, PathOf(route.pattern)) != nullptr);
  }
  // A path in no line is refused even to the admin (fail closed), and never 404.
  const std::string admin = testing::AdminToken(dir.path());
  CHECK(Call(*platform, "GET", "/v1/not-a-route", admin).status == 403);
  CHECK(Call(*platform, "GET", "/v1/not-a-route", "").status == 401);
}

TEST_CASE("access: each role against each route: allowed, 401, 403", "[integration][access]") {
  testing::TempDir dir;
  auto platform = testing::StartReadyPlatform(testing::TestConfig(dir));
  std::map<Role, std::string> tokens;
  for (int r = 0; r < services::kRoleCount; ++r) {
    const auto role = static_cast<Role>(r);
    tokens[role] = Issue(*platform, "only-" + std::string(services::RoleName(role)), Only(role));
  }
  const std::string revoked = Issue(*platform, "gone", services::RoleSet::All());
  {
    services::Credential gone;
    for (const auto& credential : platform->credentials().List()) {
      if (credential.name == "gone") gone = credential;
    }
    REQUIRE(gone.token_hash == services::TokenHash(revoked));
    gone.revoked = true;
    REQUIRE(services::PublishCredential(*platform->publisher(), PlatformKafka(*platform), gone).ok());
    REQUIRE(testing::WaitFor([&] { return Call(*platform, "GET", "/v1/alerts", revoked).status == 401; }));
  }

  int checked = 0;
  for (const auto& route : platform->mounted_routes()) {
    const std::string path = PathOf(route.pattern);
    const services::RouteRule* rule = services::RuleFor(route.method, path);
    REQUIRE(rule != nullptr);
    INFO(route.method << " " << path);
    const std::string body = route.method == "POST" ? PurchaseBody("e-" + std::to_string(checked)) : "";
    if (!rule->role) {
      CHECK(Call(*platform, route.method, path, "", body).status == 200);  // open
      continue;
    }
    const std::string needed(services::RoleName(*rule->role));
    for (const std::string& bad : {std::string(), std::string("not-a-token"), revoked}) {
      const Answer refused = Call(*platform, route.method, path, bad, body);
      CHECK(refused.status == 401);
      CHECK(refused.body["error"] == "unauthenticated");
      CHECK(refused.body["role"] == needed);
      CHECK(!refused.body["reason"].get<std::string>().empty());
    }
    for (const auto& [role, token] : tokens) {
      const Answer answer = Call(*platform, route.method, path, token, body);
      if (role == *rule->role) {
        CHECK(answer.status != 401);
        CHECK(answer.status != 403);
      } else {
        CHECK(answer.status == 403);
        CHECK(answer.body["role"] == needed);
        CHECK_THAT(answer.body["reason"].get<std::string>(), Catch::Contains("lacks the role " + needed));
      }
    }
    ++checked;
  }
  CHECK(checked >= 10);
}

TEST_CASE("access: customer_erased and customers_merged need admin; a batch names the line",
          "[integration][access]") {
  testing::TempDir dir;
  auto platform = testing::StartReadyPlatform(testing::TestConfig(dir));
  const std::string publisher = Issue(*platform, "publisher", Only(Role::kPublish));
  const std::string admin = testing::AdminToken(dir.path());

  const Answer single = Call(*platform, "POST", "/v1/events", publisher, ErasedLine("x-1", "c-erase"));
  CHECK(single.status == 403);
  CHECK(single.body["role"] == "admin");
  CHECK_THAT(single.body["reason"].get<std::string>(), Catch::Contains("customer_erased"));

  httplib::Client client("127.0.0.1", platform->http_port());
  client.set_bearer_token_auth(publisher);
  const std::string batch = PurchaseBody("x-2") + "\n" + ErasedLine("x-3", "c-erase");
  auto refused = client.Post("/v1/events", batch, "application/x-ndjson");
  REQUIRE(refused);
  CHECK(refused->status == 403);
  const json body = json::parse(refused->body);
  CHECK(body["line"] == 3);  // the blank line 2 counts
  CHECK(body["role"] == "admin");
  // Nothing of the refused batch was published: x-2 is new when the admin sends it.
  client.set_bearer_token_auth(admin);
  auto accepted = client.Post("/v1/events", batch, "application/x-ndjson");
  REQUIRE(accepted);
  CHECK(accepted->status == 202);
  CHECK(json::parse(accepted->body)["accepted"] == 2);
}

TEST_CASE("access: the first credential's token file is private and survives a restart",
          "[integration][access][durable]") {
  testing::TempDir dir;
  const auto config = testing::TestConfig(dir);
  std::string token;
  {
    auto platform = testing::StartReadyPlatform(config);
    token = testing::AdminToken(dir.path());
    REQUIRE(!token.empty());
    struct stat info {};
    REQUIRE(::stat((dir.path() / "admin.token").c_str(), &info) == 0);
    CHECK((info.st_mode & 0777) == 0600);
    REQUIRE(::stat((dir.path() / "cluster.secret").c_str(), &info) == 0);
    CHECK((info.st_mode & 0777) == 0600);
    Issue(*platform, "kept", Only(Role::kRead));
    // The topic log holds the credentials before the broker goes.
    REQUIRE(testing::WaitFor([&] { return !platform->credentials().List().empty(); }));
    platform->Stop();
  }
  auto platform = testing::StartReadyPlatform(config);
  CHECK(testing::AdminToken(dir.path()) == token);  // not created again
  CHECK(Call(*platform, "GET", "/v1/alerts", token).status == 200);
  REQUIRE(testing::WaitFor([&] { return platform->credentials().List().size() == 2; }));
}

TEST_CASE("access: forged credentials, model parameters and instance records are rejected",
          "[integration][access][signatures]") {
  testing::TempDir dir;
  auto platform = testing::StartReadyPlatform(testing::TestConfig(dir));
  const events::KafkaSettings kafka = PlatformKafka(*platform);
  events::KafkaSettings forger = kafka;
  forger.record_secret = "a secret that is not the cluster's, 32+ characters";
  testing::ExternalClient outside(*platform, "forger");

  // Credentials: one signed with another secret, one unsigned.
  auto forged = services::NewCredential("forged", services::RoleSet::All(), 1);
  REQUIRE(forged.ok());
  REQUIRE(services::PublishCredential(*outside.publisher, forger, forged->credential).ok());
  auto unsigned_credential = services::NewCredential("unsigned", services::RoleSet::All(), 1);
  REQUIRE(unsigned_credential.ok());
  events::OutgoingMessage bare;
  bare.topic = kafka.topics.credentials;
  bare.key = "unsigned";
  bare.value = services::EncodeCredential(unsigned_credential->credential);
  REQUIRE(outside.publisher->PublishAndWait({&bare, 1}).ok());
  // A genuine one after them: once it is in, the forged ones were read and refused.
  const std::string genuine = Issue(*platform, "genuine", Only(Role::kRead));
  CHECK(Call(*platform, "GET", "/v1/alerts", forged->token).status == 401);
  CHECK(Call(*platform, "GET", "/v1/alerts", unsigned_credential->token).status == 401);
  CHECK(Call(*platform, "GET", "/v1/customers/c-1", genuine).status == 404);

  // Model parameters: a forged fit is not read; a signed one is.
  projections::ModelParameters fit;
  fit.model = projections::kClvModelName;
  fit.as_of_ms = testing::Day(10);
  fit.fitted_at_ms = testing::Day(11);
  fit.time_unit = "day";
  fit.bgnbd = {0.5, 5, 0.5, 2};
  fit.gamma_gamma = {6, 4, 15};
  fit.customers = 10;
  REQUIRE(services::PublishModelParameters(*outside.publisher, forger, fit).ok());
  auto history = services::ReadModelParameterHistory(kafka, projections::kClvModelName, std::chrono::seconds(20));
  REQUIRE(history.ok());
  CHECK(history->empty());
  fit.as_of_ms = testing::Day(12);
  REQUIRE(services::PublishModelParameters(*outside.publisher, kafka, fit).ok());
  history = services::ReadModelParameterHistory(kafka, projections::kClvModelName, std::chrono::seconds(20));
  REQUIRE(history.ok());
  REQUIRE(history->size() == 1);
  CHECK(history->front().as_of_ms == testing::Day(12));

  // Instance announcements: a forged claim of every partition is ignored.
  events::OutgoingMessage claim;
  claim.topic = kafka.topics.instances;
  claim.key = "evil";
  claim.value = json{{"id", "evil"}, {"address", "203.0.113.9:80"}, {"partitions", {0, 1, 2}}, {"serving", {0, 1, 2}}}
                    .dump();
  claim.partition = Partition(0);
  events::SignMessage(claim, forger.record_secret);
  REQUIRE(outside.publisher->PublishAndWait({&claim, 1}).ok());
  // A registry reads the topic at start (the forged claim among it), then its own
  // record comes back through its consumer.
  auto honest = services::InstanceRegistry::Start(kafka, "honest");
  REQUIRE(honest.ok());
  (*honest)->SetAddress("127.0.0.1:1");
  // Held in a variable: a range-for over ToJson()["instances"] would walk a
  // destroyed temporary (see durable_topics_test.cc).
  json seen;
  REQUIRE(testing::WaitFor([&] {
    seen = (*honest)->ToJson();
    for (const json& instance : seen["instances"]) {
      if (instance["id"] == "honest") return true;
    }
    return false;
  }));
  for (const json& instance : seen["instances"]) CHECK(instance["id"] != "evil");
  CHECK(!(*honest)->OwnerOf(Partition(0)).has_value());
}

// `rapport up` in a child process, and `rapport keys` beside it.
class UpProcess {
 public:
  explicit UpProcess(const testing::TempDir& dir) : dir_(dir) {}
  std::string data() const { return (dir_.path() / "data").string(); }
  void Start() {
    up_ = std::make_unique<testing::ChildProcess>(
        std::vector<std::string>{testing::kRapportBinary, "up", "--data-dir", data(), "--listen", "127.0.0.1:0"},
        dir_.path() / ("up-" + std::to_string(++runs_) + ".log"));
    port_ = up_->WaitForHttpPort();
    REQUIRE(port_ > 0);
  }
  void Stop() {
    const int status = up_->Kill(SIGTERM);
    CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 0));
    up_.reset();
  }
  std::string banner() const { return up_->output(); }
  // `rapport keys <args> --data-dir <data>` to its end: its output.
  std::string Keys(std::vector<std::string> args) {
    args.insert(args.begin(), {testing::kRapportBinary, "keys"});
    args.push_back("--data-dir");
    args.push_back(data());
    testing::ChildProcess command(args, dir_.path() / ("keys-" + std::to_string(++runs_) + ".log"));
    REQUIRE(testing::WaitFor([&] { return !command.running(); }, std::chrono::seconds(60)));
    return command.output();
  }
  int Status(const std::string& path, const std::string& token) const {
    httplib::Client client("127.0.0.1", port_);
    client.set_bearer_token_auth(token);
    auto response = client.Get(path);
    return response ? response->status : -1;
  }

 private:
  const testing::TempDir& dir_;
  std::unique_ptr<testing::ChildProcess> up_;
  int port_ = 0;
  int runs_ = 0;
};

std::string LastLine(const std::string& text) {
  std::string trimmed = text;
  while (!trimmed.empty() && trimmed.back() == '\n') trimmed.pop_back();
  return trimmed.substr(trimmed.rfind('\n') == std::string::npos ? 0 : trimmed.rfind('\n') + 1);
}

TEST_CASE("access: rapport keys create, list and revoke beside a running rapport up",
          "[integration][access][keys]") {
  testing::TempDir dir;
  UpProcess up(dir);
  up.Start();
  const std::string admin = testing::AdminToken(up.data());
  REQUIRE(!admin.empty());
  CHECK_THAT(up.banner(), Catch::Contains("Authorization: Bearer $(cat " + up.data() + "/admin.token)"));

  const std::string created = up.Keys({"create", "--name", "ci", "--role", "read,alerts"});
  const std::string token = LastLine(created);
  INFO(created);
  REQUIRE(std::regex_match(token, std::regex("[A-Za-z0-9_-]{43}")));
  // In effect before the command returned: no waiting here.
  CHECK(up.Status("/v1/customers/c-1", token) == 404);
  CHECK(up.Status("/v1/cluster/instances", token) == 403);

  const std::string listed = up.Keys({"list"});
  CHECK_THAT(listed, Catch::Contains("ci\tread,alerts\t"));
  CHECK_THAT(listed, Catch::Contains("admin\tpublish,read,alerts,analyst,metrics,admin\t"));
  CHECK(listed.find(token) == std::string::npos);
  CHECK(listed.find(admin) == std::string::npos);

  // Bad arguments name the flag; nothing is created.
  CHECK_THAT(up.Keys({"create", "--name", "x", "--role", "root"}), Catch::Contains("--role"));
  CHECK_THAT(up.Keys({"create", "--name", "no/slash", "--role", "read"}), Catch::Contains("--name"));
  CHECK_THAT(up.Keys({"create", "--role", "read"}), Catch::Contains("--name"));
  CHECK_THAT(up.Keys({"create", "--name", "ci", "--role", "read"}), Catch::Contains("exists"));
  CHECK_THAT(up.Keys({"revoke", "nobody"}), Catch::Contains("no credential named"));

  CHECK_THAT(up.Keys({"revoke", "ci"}), Catch::Contains("revoked \"ci\""));
  REQUIRE(testing::WaitFor([&] { return up.Status("/v1/customers/c-1", token) == 401; },
                           std::chrono::seconds(5)));
  CHECK_THAT(up.Keys({"list"}), Catch::Contains("ci\tread,alerts\t"));

  // A restart keeps every credential: the admin token works, the revoked one not.
  const std::string kept = LastLine(up.Keys({"create", "--name", "kept", "--role", "metrics"}));
  up.Stop();
  up.Start();
  CHECK(testing::AdminToken(up.data()) == admin);
  CHECK(up.Status("/v1/alerts", admin) == 200);
  CHECK(up.Status("/v1/cluster/instances", kept) != 401);
  CHECK(up.Status("/v1/customers/c-1", token) == 401);
}

}  // namespace
}  // namespace rapport
