#include "projections/runtime/merge_pointer_answer.h"

#include "events/time_format.h"

namespace rapport::projections {

HttpResponse MergePointerResponse(const std::string& customer_id, const std::string& survivor,
                                  int64_t merged_at_ms, std::string_view suffix) {
  return JsonResponse(200, {{"customer_id", customer_id},
                            {"merged_into", survivor},
                            {"merged_at", merged_at_ms == 0 ? nlohmann::json(nullptr)
                                                            : nlohmann::json(events::FormatRfc3339(merged_at_ms))},
                            {"location", "/v1/customers/" + survivor + std::string(suffix)}});
}

}  // namespace rapport::projections
