#include "services/access/credential.h"

#include <nlohmann/json.hpp>

namespace rapport::services {

Status CheckCredentialName(std::string_view name, std::string_view field) {
  if (name.empty() || name.size() > 64) {
    return Status::InvalidArgument(std::string(field), "must be 1 to 64 characters, got " +
                                                           std::to_string(name.size()));
  }
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == '-';
    if (!ok) return Status::InvalidArgument(std::string(field), "may hold only letters, digits, '.', '_' and '-'");
  }
  return Status::Ok();
}

std::string EncodeCredential(const Credential& credential) {
  return nlohmann::json{{"name", credential.name},
                        {"token_sha256", credential.token_hash},
                        {"roles", credential.roles.Names()},
                        {"created_at_ms", credential.created_at_ms},
                        {"revoked", credential.revoked}}
      .dump();
}

Result<Credential> DecodeCredential(std::string_view bytes) {
  auto json = nlohmann::json::parse(bytes, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) return Status::Corruption("credential record: not a JSON object");
  Credential credential;
  auto name = json.find("name");
  auto hash = json.find("token_sha256");
  auto roles = json.find("roles");
  auto created = json.find("created_at_ms");
  auto revoked = json.find("revoked");
  if (name == json.end() || !name->is_string()) return Status::Corruption("credential record: no \"name\"");
  if (hash == json.end() || !hash->is_string() || hash->get_ref<const std::string&>().size() != 64) {
    return Status::Corruption("credential record: no 64-digit \"token_sha256\"");
  }
  if (roles == json.end() || !roles->is_array()) return Status::Corruption("credential record: no \"roles\" array");
  credential.name = name->get<std::string>();
  credential.token_hash = hash->get<std::string>();
  for (const auto& role : *roles) {
    auto parsed = role.is_string() ? ParseRole(role.get_ref<const std::string&>()) : std::nullopt;
    if (!parsed) return Status::Corruption("credential record: unknown role " + role.dump());
    credential.roles.Add(*parsed);
  }
  if (created != json.end() && created->is_number_integer()) credential.created_at_ms = created->get<int64_t>();
  if (revoked != json.end() && revoked->is_boolean()) credential.revoked = revoked->get<bool>();
  return credential;
}

}  // namespace rapport::services
