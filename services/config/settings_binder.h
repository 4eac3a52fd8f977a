#pragma once
// Maps dotted setting names ("domain.lifecycle.stability_min_purchases",
// "kafka.brokers") to the fields that hold them, so a config file, environment
// variables and tests set the same fields the same way, and an unknown or
// mistyped name is an error that names it.

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "events/status.h"
#include "projections/runtime/settings_section.h"

namespace rapport::services {

class SettingsBinder final : public projections::SettingsSection {
 public:
  void Bind(std::string name, int* field) override;
  void Bind(std::string name, int64_t* field) override;
  void Bind(std::string name, double* field) override;
  void Bind(std::string name, bool* field) override;
  void Bind(std::string name, std::string* field) override;

  // A duration written with its unit ("250ms", "90s", "30m", "1h"), held in
  // milliseconds; negative values are refused.
  void BindDurationMs(std::string name, int64_t* millis);

  // Sets one setting from its text form; errors name the setting.
  Status Set(std::string_view name, std::string_view text);
  bool Has(std::string_view name) const { return setters_.contains(std::string(name)); }
  // Current value of every setting as text, sorted by name (for `rapport config`).
  std::map<std::string, std::string> Dump() const;

 private:
  struct Entry {
    std::function<Status(std::string_view)> set;
    std::function<std::string()> get;
  };
  std::map<std::string, Entry, std::less<>> setters_;
};

}  // namespace rapport::services
