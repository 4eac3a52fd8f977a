#pragma once
// The cluster secret: the HMAC key that signs the control topics' records
// (events/record_signature.h). `rapport up` creates `<data-dir>/cluster.secret`
// (mode 0600, 256 random bits as hex) on its first start; every other process is
// given the same file (`access.cluster_secret_file`, `--cluster-secret-file`) or
// finds it in the data directory it shares with `rapport up`.

#include <filesystem>
#include <optional>
#include <string>

#include "events/status.h"
#include "services/config/config.h"

namespace rapport::services {

// `<data-dir>/cluster.secret`; in a replay's output directory (which records the
// data directory it was replayed from, SourceDataDir) the source's.
std::filesystem::path DefaultClusterSecretFile(const Config& config);

// `<dir>/source.data_dir`: a replay's output names the live data directory it read,
// so `rapport serve` over it finds that platform's brokers and cluster secret.
std::filesystem::path SourceDataDirFile(const std::filesystem::path& dir);
// The directory `<dir>/source.data_dir` names; nullopt when there is none.
std::optional<std::filesystem::path> SourceDataDir(const std::filesystem::path& dir);

// The secret of `config`: access.cluster_secret_file when set, else the data
// directory's file, created there when `create_if_missing`. InvalidArgument naming
// access.cluster_secret_file when there is none or it is shorter than 32 characters.
Result<std::string> LoadClusterSecret(const Config& config, bool create_if_missing);

}  // namespace rapport::services
