#include "services/config/settings_binder.h"

#include <charconv>
#include <cstdint>
#include <sstream>

namespace rapport::services {
namespace {

template <typename Int>
Status ParseInt(std::string_view name, std::string_view text, Int* out) {
  Int value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return Status::InvalidArgument(std::string(name), "must be an integer, got \"" + std::string(text) + "\"");
  }
  *out = value;
  return Status::Ok();
}

struct DurationUnit {
  std::string_view suffix;
  int64_t millis;
};
// Longest suffix first: "ms" before "m" and "s".
constexpr DurationUnit kDurationUnits[] = {{"ms", 1}, {"h", 3'600'000}, {"m", 60'000}, {"s", 1'000}};

Status ParseDurationMs(const std::string& name, std::string_view text, int64_t* out) {
  for (const DurationUnit& unit : kDurationUnits) {
    if (text.size() <= unit.suffix.size() || !text.ends_with(unit.suffix)) continue;
    const std::string_view number = text.substr(0, text.size() - unit.suffix.size());
    int64_t value = 0;
    auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
    if (ec != std::errc() || end != number.data() + number.size() || value < 0 ||
        value > INT64_MAX / unit.millis) {
      break;
    }
    *out = value * unit.millis;
    return Status::Ok();
  }
  return Status::InvalidArgument(name, "must be a duration such as 500ms, 90s, 30m or 1h, got \"" +
                                           std::string(text) + "\"");
}

std::string FormatDurationMs(int64_t millis) {
  // The largest exact unit: 3600000 -> "1h", 90000 -> "90s" (not "1.5m").
  for (int64_t unit : {int64_t{3'600'000}, int64_t{60'000}, int64_t{1'000}}) {
    if (millis != 0 && millis % unit == 0) {
      return std::to_string(millis / unit) + (unit == 3'600'000 ? "h" : unit == 60'000 ? "m" : "s");
    }
  }
  return std::to_string(millis) + "ms";
}

}  // namespace

void SettingsBinder::BindDurationMs(std::string name, int64_t* millis) {
  setters_[name] = {[name, millis](std::string_view t) { return ParseDurationMs(name, t, millis); },
                    [millis] { return FormatDurationMs(*millis); }};
}

void SettingsBinder::Bind(std::string name, int* field) {
  setters_[name] = {[name, field](std::string_view t) { return ParseInt(name, t, field); },
                    [field] { return std::to_string(*field); }};
}

void SettingsBinder::Bind(std::string name, int64_t* field) {
  setters_[name] = {[name, field](std::string_view t) { return ParseInt(name, t, field); },
                    [field] { return std::to_string(*field); }};
}

void SettingsBinder::Bind(std::string name, double* field) {
  setters_[name] = {[name, field](std::string_view t) {
                      std::string text(t);
                      char* end = nullptr;
                      double value = std::strtod(text.c_str(), &end);
                      if (text.empty() || end != text.c_str() + text.size()) {
                        return Status::InvalidArgument(name, "must be a number, got \"" + text + "\"");
                      }
                      *field = value;
                      return Status::Ok();
                    },
                    [field] {
                      std::ostringstream out;
                      out << *field;
                      return out.str();
                    }};
}

void SettingsBinder::Bind(std::string name, bool* field) {
  setters_[name] = {[name, field](std::string_view t) {
                      if (t == "true" || t == "1" || t == "yes" || t == "on") {
                        *field = true;
                      } else if (t == "false" || t == "0" || t == "no" || t == "off") {
                        *field = false;
                      } else {
                        return Status::InvalidArgument(name, "must be true or false, got \"" + std::string(t) + "\"");
                      }
                      return Status::Ok();
                    },
                    [field] { return std::string(*field ? "true" : "false"); }};
}

void SettingsBinder::Bind(std::string name, std::string* field) {
  setters_[name] = {[field](std::string_view t) {
                      *field = std::string(t);
                      return Status::Ok();
                    },
                    [field] { return *field; }};
}

Status SettingsBinder::Set(std::string_view name, std::string_view text) {
  auto it = setters_.find(name);
  if (it == setters_.end()) return Status::InvalidArgument(std::string(name), "unknown setting");
  return it->second.set(text);
}

std::map<std::string, std::string> SettingsBinder::Dump() const {
  std::map<std::string, std::string> out;
  for (const auto& [name, entry] : setters_) out[name] = entry.get();
  return out;
}

}  // namespace rapport::services
