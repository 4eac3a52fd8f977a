#include "services/access/keys_command.h"

#include <chrono>
#include <ostream>
#include <thread>

#include <httplib.h>

#include "events/publisher.h"
#include "events/time_format.h"
#include "services/access/credential_store.h"
#include "services/access/credential_writer.h"
#include "services/access/first_credential.h"
#include "services/access/private_file.h"

namespace rapport::services {
namespace {

// The topic as it is now, every record verified (credential_store.h).
Result<std::unique_ptr<CredentialStore>> ReadCredentials(const Config& config) {
  auto store = CredentialStore::Detached(config.kafka.record_secret);
  events::TopicReadOptions options;
  options.timeout = std::chrono::seconds(15);
  options.client_id = "rapport-keys";
  Status read = events::ReadTopicToEnd(config.kafka, config.kafka.topics.credentials, options,
                                       [&](events::TopicRecord&& record) {
                                         store->Apply(record);
                                         return Status::Ok();
                                       });
  if (!read.ok()) return read.WithContext("reading " + config.kafka.topics.credentials);
  return store;
}

const Credential* Named(const std::vector<Credential>& all, const std::string& name) {
  for (const Credential& credential : all) {
    if (credential.name == name) return &credential;
  }
  return nullptr;
}

int64_t NowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Asks the `rapport up` of the data directory, if one serves, until it knows
// `token`: 401 means not yet; any other answer means its table holds it. The probe
// path is in no line of the route table, so no handler runs.
Status WaitUntilServed(const Config& config, const std::string& token) {
  auto address = ReadTrimmedFile(HttpAddressFile(config));
  if (!address.ok()) return Status::Ok();  // no local `rapport up`: the acknowledgement is all there is
  auto host_port = ParseHostPort(*address, HttpAddressFile(config).string());
  if (!host_port.ok()) return host_port.status();
  httplib::Client client(host_port->host, host_port->port);
  client.set_connection_timeout(1, 0);
  client.set_bearer_token_auth(token);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  bool reached = false;
  while (std::chrono::steady_clock::now() < deadline) {
    auto response = client.Get("/v1/keys/probe");
    if (response && response->status != 401) return Status::Ok();
    reached = reached || response;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (!reached) return Status::Ok();  // the `rapport up` that wrote the file is gone
  return Status::Unavailable("the credential is published, but the server at " + *address +
                             " did not accept it within 15 s");
}

}  // namespace

Status CreateKey(const Config& config, const std::string& name, const std::string& roles, std::ostream& out) {
  auto role_set = ParseRoleList(roles, "--role");
  if (!role_set.ok()) return role_set.status();
  auto issued = NewCredential(name, *role_set, NowMillis());
  if (!issued.ok()) return issued.status();
  auto store = ReadCredentials(config);
  if (!store.ok()) return store.status();
  const auto all = (*store)->List();
  if (const Credential* existing = Named(all, name); existing && !existing->revoked) {
    return Status::InvalidArgument("--name", "a credential named \"" + name + "\" exists; revoke it first");
  }
  auto publisher = events::Publisher::Create(config.kafka, "rapport-keys");
  if (!publisher.ok()) return publisher.status().WithContext("--brokers");
  RAPPORT_RETURN_IF_ERROR(PublishCredential(**publisher, config.kafka, issued->credential));
  RAPPORT_RETURN_IF_ERROR(WaitUntilServed(config, issued->token));
  out << "created \"" << name << "\" with role(s) " << roles << "; the token (shown only now):\n"
      << issued->token << "\n";
  return Status::Ok();
}

Status ListKeys(const Config& config, std::ostream& out) {
  auto store = ReadCredentials(config);
  if (!store.ok()) return store.status();
  for (const Credential& credential : (*store)->List()) {
    std::string roles;
    for (const std::string& role : credential.roles.Names()) roles += (roles.empty() ? "" : ",") + role;
    out << credential.name << "\t" << roles << "\t" << events::FormatRfc3339(credential.created_at_ms)
        << (credential.revoked ? "\trevoked" : "") << "\n";
  }
  return Status::Ok();
}

Status RevokeKey(const Config& config, const std::string& name, std::ostream& out) {
  RAPPORT_RETURN_IF_ERROR(CheckCredentialName(name, "NAME"));
  auto store = ReadCredentials(config);
  if (!store.ok()) return store.status();
  const auto all = (*store)->List();
  const Credential* existing = Named(all, name);
  if (!existing) return Status::InvalidArgument("NAME", "no credential named \"" + name + "\"");
  if (existing->revoked) {
    out << "\"" << name << "\" was already revoked\n";
    return Status::Ok();
  }
  Credential revoked = *existing;
  revoked.revoked = true;
  auto publisher = events::Publisher::Create(config.kafka, "rapport-keys");
  if (!publisher.ok()) return publisher.status().WithContext("--brokers");
  RAPPORT_RETURN_IF_ERROR(PublishCredential(**publisher, config.kafka, revoked));
  out << "revoked \"" << name << "\"\n";
  return Status::Ok();
}

}  // namespace rapport::services
