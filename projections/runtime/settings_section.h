#pragma once
// Where a projection module binds its section of the configuration
// ("domain.loyalty.window_days" -> a field of DomainSettings). The process's binder
// (services/config/settings_binder.h) implements it, so a module declares its
// settings without depending on how files, environment and flags are read.

#include <cstdint>
#include <string>

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

}  // namespace rapport::projections
