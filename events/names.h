#pragma once
// The snake_case names of the model's enums, as they appear in JSON, headers and
// the query API. Parse* return nullopt for an unknown name.

#include <optional>
#include <string_view>

#include "events/event.h"

namespace rapport::events {

std::string_view Name(EventType value);
std::string_view Name(Channel value);
std::string_view Name(ComplaintCategory value);
std::string_view Name(VisitOutcome value);
std::string_view Name(CareStage value);
std::string_view Name(CarePurpose value);
std::string_view Name(Direction value);

std::optional<EventType> ParseEventType(std::string_view name);
std::optional<Channel> ParseChannel(std::string_view name);
std::optional<ComplaintCategory> ParseComplaintCategory(std::string_view name);
std::optional<VisitOutcome> ParseVisitOutcome(std::string_view name);
std::optional<CareStage> ParseCareStage(std::string_view name);
std::optional<CarePurpose> ParseCarePurpose(std::string_view name);
std::optional<Direction> ParseDirection(std::string_view name);

}  // namespace rapport::events
