#include "services/access/first_credential.h"

#include <chrono>

#include <spdlog/spdlog.h>

#include "services/access/credential_writer.h"
#include "services/access/private_file.h"

namespace rapport::services {

std::filesystem::path AdminTokenFile(const Config& config) {
  return std::filesystem::path(config.data_dir) / "admin.token";
}

std::filesystem::path HttpAddressFile(const Config& config) {
  return std::filesystem::path(config.data_dir) / "http.address";
}

Result<bool> EnsureFirstCredential(const Config& config, events::Publisher& publisher, const CredentialStore& store) {
  if (store.ever_held_any()) return false;
  const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  auto issued = NewCredential(kFirstCredentialName, RoleSet::All(), now);
  if (!issued.ok()) return issued.status();
  // The token file first: after a crash between the two the topic is still unused,
  // and the next start creates a new credential and overwrites the file; never a
  // credential whose token nobody holds.
  RAPPORT_RETURN_IF_ERROR(WritePrivateFile(AdminTokenFile(config), issued->token + "\n"));
  RAPPORT_RETURN_IF_ERROR(PublishCredential(publisher, config.kafka, issued->credential));
  if (!store.WaitUntilKnown(issued->credential.name, issued->credential.token_hash, std::chrono::seconds(30))) {
    return Status::Unavailable("the first credential was published but not read back from " +
                               config.kafka.topics.credentials + " within 30 s");
  }
  spdlog::info("credentials: created \"{}\" (every role); its token is in {}", kFirstCredentialName,
               AdminTokenFile(config).string());
  return true;
}

}  // namespace rapport::services
