#pragma once
// Where a projection module binds its section of the configuration
// ("domain.loyalty.window_days" -> a field of DomainSettings). The process's binder
// (services/config/settings_binder.h) implements it, so a module declares its
// settings without depending on how files, environment and flags are read.

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace rapport::projections {

class SettingsSection {
 public:
  virtual ~SettingsSection() = default;
  virtual void Bind(std::string name, int* field) = 0;
  virtual void Bind(std::string name, int64_t* field) = 0;
  virtual void Bind(std::string name, double* field) = 0;
  virtual void Bind(std::string name, bool* field) = 0;
  virtual void Bind(std::string name, std::string* field) = 0;
};

// A table of fields under one dotted prefix ("domain.loyalty." + "window_days"):
//   BindTable(section, "domain.loyalty.", {
//       {"window_days", &loyalty.window_days},
//   });
using SettingField = std::variant<int*, int64_t*, double*, bool*, std::string*>;
inline void BindTable(SettingsSection& section, std::string_view prefix,
                      std::initializer_list<std::pair<const char*, SettingField>> fields) {
  for (const auto& entry : fields) {
    // Not a structured binding: clang 14 (the fuzz build) cannot capture one.
    const std::string key = std::string(prefix) + entry.first;
    std::visit([&](auto* target) { section.Bind(key, target); }, entry.second);
  }
}

}  // namespace rapport::projections
