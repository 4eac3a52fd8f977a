#pragma once
// Builders for the satisfaction and loyalty tests, next to event_builders.h:
//   Survey("c-1", Day(3), {.expectation = 8, .perception = 6, .nps = 9, .csat = 4})

#include <optional>
#include <string>

#include "events/event.h"
#include "tests/support/event_builders.h"

namespace rapport::testing {

struct Answers {
  std::optional<int32_t> expectation = std::nullopt;
  std::optional<int32_t> perception = std::nullopt;
  std::optional<int32_t> nps = std::nullopt;
  std::optional<int32_t> csat = std::nullopt;
};

inline events::Event Survey(const std::string& customer, int64_t at_ms, Answers a,
                            events::Channel channel = events::Channel::kCallCentre) {
  events::CareContact payload;
  payload.purpose = events::CarePurpose::kSurvey;
  payload.survey.expectation = a.expectation;
  payload.survey.perception = a.perception;
  payload.survey.nps = a.nps;
  payload.survey.csat = a.csat;
  events::Event event = Base(customer, at_ms, payload);
  event.channel = channel;
  return event;
}

inline events::Event Complaint(const std::string& customer, int64_t at_ms, const std::string& id = "k-1") {
  return Base(customer, at_ms, events::Complaint{id, events::ComplaintCategory::kService, 3, "late"});
}

inline events::Event Resolved(const std::string& customer, int64_t at_ms, bool accepted,
                              const std::string& id = "k-1") {
  return Base(customer, at_ms, events::ComplaintResolved{id, accepted});
}

inline events::Event Referral(const std::string& customer, int64_t at_ms, const std::string& referred) {
  return Base(customer, at_ms, events::Referral{referred});
}

inline events::Event RegisteredWithWallet(const std::string& customer, int64_t at_ms, int64_t wallet) {
  events::CustomerRegistered payload;
  payload.display_name = "Name " + customer;
  payload.wallet_estimate = wallet;
  return Base(customer, at_ms, payload);
}

inline events::Event On(events::Event event, events::Channel channel) {
  event.channel = channel;
  return event;
}

}  // namespace rapport::testing
