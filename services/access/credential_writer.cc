#include "services/access/credential_writer.h"

#include "events/record_signature.h"
#include "services/access/token.h"

namespace rapport::services {

Result<IssuedCredential> NewCredential(std::string name, RoleSet roles, int64_t now_ms) {
  RAPPORT_RETURN_IF_ERROR(CheckCredentialName(name, "--name"));
  if (roles.empty()) return Status::InvalidArgument("--role", "a credential needs at least one role");
  auto token = NewToken();
  if (!token.ok()) return token.status();
  IssuedCredential issued;
  issued.credential = Credential{std::move(name), TokenHash(*token), roles, now_ms, false};
  issued.token = std::move(token).value();
  return issued;
}

Status PublishCredential(events::Publisher& publisher, const events::KafkaSettings& kafka,
                         const Credential& credential) {
  events::OutgoingMessage message;
  message.topic = kafka.topics.credentials;
  message.key = credential.name;
  message.value = EncodeCredential(credential);
  events::SignMessage(message, kafka.record_secret);
  return publisher.PublishAndWait({&message, 1});
}

}  // namespace rapport::services
