#include "services/access/roles.h"

#include <algorithm>
#include <array>

namespace rapport::services {
namespace {

constexpr std::array<std::string_view, kRoleCount> kNames = {"publish", "read",    "alerts",
                                                             "analyst", "metrics", "admin"};

std::string KnownRoles() {
  std::string out;
  for (std::string_view name : kNames) out += (out.empty() ? "" : ", ") + std::string(name);
  return out;
}

}  // namespace

std::string_view RoleName(Role role) { return kNames[static_cast<size_t>(role)]; }

std::optional<Role> ParseRole(std::string_view name) {
  for (size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == name) return static_cast<Role>(i);
  }
  return std::nullopt;
}

RoleSet RoleSet::All() {
  RoleSet all;
  for (size_t i = 0; i < kNames.size(); ++i) all.Add(static_cast<Role>(i));
  return all;
}

std::vector<std::string> RoleSet::Names() const {
  std::vector<std::string> names;
  for (size_t i = 0; i < kNames.size(); ++i) {
    if (Has(static_cast<Role>(i))) names.emplace_back(kNames[i]);
  }
  return names;
}

Result<RoleSet> ParseRoleList(std::string_view text, std::string_view field) {
  RoleSet roles;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = std::min(text.find(',', start), text.size());
    const std::string_view name = text.substr(start, comma - start);
    auto role = ParseRole(name);
    if (!role) {
      return Status::InvalidArgument(std::string(field), name.empty() ? "an empty role in \"" + std::string(text) + "\""
                                                                      : "unknown role \"" + std::string(name) +
                                                                            "\" (known: " + KnownRoles() + ")");
    }
    roles.Add(*role);
    start = comma + 1;
  }
  return roles;
}

}  // namespace rapport::services
