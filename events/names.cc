#include "events/names.h"

#include <array>

namespace rapport::events {
namespace {

template <typename Enum, size_t N>
std::optional<Enum> Find(const std::array<std::string_view, N>& names, std::string_view name) {
  for (size_t i = 0; i < N; ++i) {
    if (names[i] == name) return static_cast<Enum>(i);
  }
  return std::nullopt;
}

template <typename Enum, size_t N>
std::string_view Lookup(const std::array<std::string_view, N>& names, Enum value) {
  auto index = static_cast<size_t>(value);
  return index < N ? names[index] : std::string_view("unknown");
}

constexpr std::array<std::string_view, kEventTypeCount> kEventTypes = {
    "customer_registered", "purchase", "refund",   "complaint",        "complaint_resolved",
    "visit",               "care_contact", "referral", "customers_merged", "customer_erased"};
constexpr std::array<std::string_view, kChannelCount> kChannels = {"call_centre", "web",   "store",
                                                                   "mobile",      "email", "other"};
constexpr std::array<std::string_view, 7> kComplaintCategories = {
    "product", "service", "staff", "price", "inconvenience", "billing", "other"};
constexpr std::array<std::string_view, 3> kVisitOutcomes = {"browsed", "inquiry", "intent"};
constexpr std::array<std::string_view, 3> kCareStages = {"pre_sale", "in_sale", "after_sale"};
constexpr std::array<std::string_view, 6> kCarePurposes = {"welcome", "follow_up", "greeting",
                                                           "win_back", "survey",    "support"};
constexpr std::array<std::string_view, 2> kDirections = {"inbound", "outbound"};

}  // namespace

std::string_view Name(EventType value) { return Lookup(kEventTypes, value); }
std::string_view Name(Channel value) { return Lookup(kChannels, value); }
std::string_view Name(ComplaintCategory value) { return Lookup(kComplaintCategories, value); }
std::string_view Name(VisitOutcome value) { return Lookup(kVisitOutcomes, value); }
std::string_view Name(CareStage value) { return Lookup(kCareStages, value); }
std::string_view Name(CarePurpose value) { return Lookup(kCarePurposes, value); }
std::string_view Name(Direction value) { return Lookup(kDirections, value); }

std::optional<EventType> ParseEventType(std::string_view n) { return Find<EventType>(kEventTypes, n); }
std::optional<Channel> ParseChannel(std::string_view n) { return Find<Channel>(kChannels, n); }
std::optional<ComplaintCategory> ParseComplaintCategory(std::string_view n) {
  return Find<ComplaintCategory>(kComplaintCategories, n);
}
std::optional<VisitOutcome> ParseVisitOutcome(std::string_view n) { return Find<VisitOutcome>(kVisitOutcomes, n); }
std::optional<CareStage> ParseCareStage(std::string_view n) { return Find<CareStage>(kCareStages, n); }
std::optional<CarePurpose> ParseCarePurpose(std::string_view n) { return Find<CarePurpose>(kCarePurposes, n); }
std::optional<Direction> ParseDirection(std::string_view n) { return Find<Direction>(kDirections, n); }

}  // namespace rapport::events
