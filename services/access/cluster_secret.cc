#include "services/access/cluster_secret.h"

#include "services/access/private_file.h"
#include "services/access/token.h"

namespace rapport::services {
namespace {

constexpr size_t kMinimumSecretSize = 32;
constexpr const char* kField = "access.cluster_secret_file";

Result<std::string> CreateSecret(const std::filesystem::path& path) {
  auto bytes = RandomBytes(32);
  if (!bytes.ok()) return bytes.status();
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned char byte : *bytes) {
    hex.push_back(kHex[byte >> 4]);
    hex.push_back(kHex[byte & 0xf]);
  }
  RAPPORT_RETURN_IF_ERROR(WritePrivateFile(path, hex + "\n"));
  return hex;
}

}  // namespace

std::filesystem::path SourceDataDirFile(const std::filesystem::path& dir) { return dir / "source.data_dir"; }

std::optional<std::filesystem::path> SourceDataDir(const std::filesystem::path& dir) {
  auto source = ReadTrimmedFile(SourceDataDirFile(dir));
  if (!source.ok() || source->empty()) return std::nullopt;
  return std::filesystem::path(*source);
}

std::filesystem::path DefaultClusterSecretFile(const Config& config) {
  const std::filesystem::path own = std::filesystem::path(config.data_dir) / "cluster.secret";
  if (std::filesystem::exists(own)) return own;
  auto source = SourceDataDir(config.data_dir);
  return source ? *source / "cluster.secret" : own;
}

Result<std::string> LoadClusterSecret(const Config& config, bool create_if_missing) {
  const bool given = !config.access.cluster_secret_file.empty();
  const std::filesystem::path path = given ? std::filesystem::path(config.access.cluster_secret_file)
                                           : DefaultClusterSecretFile(config);
  auto secret = ReadTrimmedFile(path);
  if (!secret.ok() && secret.status().code() == StatusCode::kNotFound && !given && create_if_missing) {
    return CreateSecret(path);
  }
  if (!secret.ok()) {
    return Status::InvalidArgument(kField, "no cluster secret in " + path.string() +
                                               (given ? "" : " (start `rapport up` there first, or give the file)"));
  }
  if (secret->size() < kMinimumSecretSize) {
    return Status::InvalidArgument(kField, path.string() + " holds " + std::to_string(secret->size()) +
                                               " characters; at least " + std::to_string(kMinimumSecretSize) +
                                               " are needed");
  }
  return secret;
}

}  // namespace rapport::services
