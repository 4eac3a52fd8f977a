#pragma once
// Files only their owner may read (mode 0600): the cluster secret and the first
// admin token. Written whole to a temporary name and renamed, so a reader never
// sees half a secret.

#include <filesystem>
#include <string>
#include <string_view>

#include "events/status.h"

namespace rapport::services {

Status WritePrivateFile(const std::filesystem::path& path, std::string_view content);
// The file's content without trailing whitespace; NotFound when absent.
Result<std::string> ReadTrimmedFile(const std::filesystem::path& path);

}  // namespace rapport::services
