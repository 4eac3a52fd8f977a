#pragma once
// For tests that run rapport processes against a cluster with no `rapport up`
// (which would create them): the cluster secret in the data directory and an
// "admin" credential with every role, its token in `<data-dir>/admin.token`, as
// `rapport up`'s first start leaves them (services/access/first_credential.h).

#include <chrono>
#include <string>

#include <catch2/catch.hpp>

#include "events/publisher.h"
#include "services/access/cluster_secret.h"
#include "services/access/credential_writer.h"
#include "services/access/first_credential.h"
#include "services/access/private_file.h"
#include "services/config/config.h"

namespace rapport::testing {

// Returns the admin token. `config.brokers` names the cluster.
inline std::string ProvisionAdminCredential(const services::Config& config) {
  auto secret = services::LoadClusterSecret(config, /*create_if_missing=*/true);
  REQUIRE(secret.ok());
  events::KafkaSettings kafka = config.kafka;
  kafka.bootstrap_servers = config.brokers;
  kafka.record_secret = *secret;
  auto publisher = events::Publisher::Create(kafka, "test-admin");
  REQUIRE(publisher.ok());
  auto issued = services::NewCredential("admin", services::RoleSet::All(), 1'767'225'600'000);
  REQUIRE(issued.ok());
  REQUIRE(services::PublishCredential(**publisher, kafka, issued->credential).ok());
  REQUIRE(services::WritePrivateFile(services::AdminTokenFile(config), issued->token + "\n").ok());
  return issued->token;
}

}  // namespace rapport::testing
