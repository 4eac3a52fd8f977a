#pragma once
// Strong types for ids and Kafka coordinates, so that a partition number cannot be
// passed where an offset is expected, nor an event id where a customer id is.

#include <compare>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace rapport {

template <typename Tag>
class StringId {
 public:
  StringId() = default;
  explicit StringId(std::string value) : value_(std::move(value)) {}
  explicit StringId(std::string_view value) : value_(value) {}

  const std::string& str() const { return value_; }
  bool empty() const { return value_.empty(); }
  auto operator<=>(const StringId&) const = default;

 private:
  std::string value_;
};

template <typename Tag, typename Int>
class IntId {
 public:
  constexpr IntId() = default;
  constexpr explicit IntId(Int value) : value_(value) {}

  constexpr Int value() const { return value_; }
  constexpr auto operator<=>(const IntId&) const = default;

 private:
  Int value_ = 0;
};

using CustomerId = StringId<struct CustomerIdTag>;
using EventId = StringId<struct EventIdTag>;
using Partition = IntId<struct PartitionTag, int32_t>;
using Offset = IntId<struct OffsetTag, int64_t>;

}  // namespace rapport

template <typename Tag>
struct std::hash<rapport::StringId<Tag>> {
  size_t operator()(const rapport::StringId<Tag>& id) const noexcept {
    return std::hash<std::string>()(id.str());
  }
};

template <typename Tag, typename Int>
struct std::hash<rapport::IntId<Tag, Int>> {
  size_t operator()(const rapport::IntId<Tag, Int>& id) const noexcept { return std::hash<Int>()(id.value()); }
};
