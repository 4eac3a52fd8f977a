#pragma once
// The token of the first credential `rapport up` (or StartEmbeddedPlatform) writes
// to `<data-dir>/admin.token`: every test that calls a rapport HTTP route sends it
// (services/access, docs/security.md).

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include <httplib.h>

namespace rapport::testing {

// The token in `<data_dir>/admin.token`, waiting up to 60 s for a starting `rapport
// up` to write it; "" when it never appears.
inline std::string AdminToken(const std::filesystem::path& data_dir) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  for (;;) {
    std::ifstream in(data_dir / "admin.token");
    std::string token;
    if (in && std::getline(in, token) && !token.empty()) return token;
    if (std::chrono::steady_clock::now() >= deadline) return "";
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

// Sends the admin token of `data_dir` with every request of `client`.
inline void UseAdminToken(httplib::Client& client, const std::filesystem::path& data_dir) {
  client.set_bearer_token_auth(AdminToken(data_dir));
}

}  // namespace rapport::testing
