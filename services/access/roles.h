#pragma once
// The roles a credential may hold (docs/security.md). A credential holds a set of
// them; a route needs one (route_roles.h). DO NOT CHANGE the names: they are stored
// in the credentials topic.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "events/status.h"

namespace rapport::services {

enum class Role : uint8_t {
  kPublish,  // POST /v1/events, except customers_merged and customer_erased
  kRead,     // customer, segment, trend and per-customer alert reads
  kAlerts,   // the alert lists and the alert stream
  kAnalyst,  // exports and history
  kMetrics,  // /metrics and the operational views
  kAdmin,    // credentials, customers_merged, customer_erased, dead-letter re-drive
};

inline constexpr int kRoleCount = 6;

std::string_view RoleName(Role role);
std::optional<Role> ParseRole(std::string_view name);

// A set of roles, as a bit mask.
class RoleSet {
 public:
  RoleSet() = default;
  static RoleSet All();
  void Add(Role role) { bits_ |= Bit(role); }
  bool Has(Role role) const { return (bits_ & Bit(role)) != 0; }
  bool empty() const { return bits_ == 0; }
  std::vector<std::string> Names() const;  // in declaration order
  bool operator==(const RoleSet&) const = default;

 private:
  static uint32_t Bit(Role role) { return 1u << static_cast<uint32_t>(role); }
  uint32_t bits_ = 0;
};

// "publish,read": InvalidArgument naming `field` and the unknown or missing role.
Result<RoleSet> ParseRoleList(std::string_view text, std::string_view field);

}  // namespace rapport::services
