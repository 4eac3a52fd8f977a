#include "projections/runtime/http_answer.h"

#include "events/time_format.h"

namespace rapport::projections {

int HttpStatusFor(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return 200;
    case StatusCode::kInvalidArgument: return 400;
    case StatusCode::kNotFound: return 404;
    case StatusCode::kAlreadyExists: return 409;
    case StatusCode::kResourceExhausted: return 413;
    case StatusCode::kUnavailable: return 503;
    case StatusCode::kCorruption:
    case StatusCode::kInternal: return 500;
  }
  return 500;
}

HttpResponse ErrorResponse(const Status& status) {
  nlohmann::json body = {{"error", StatusCodeName(status.code())}, {"reason", status.message()}};
  if (!status.field().empty()) body["field"] = status.field();
  return JsonResponse(HttpStatusFor(status.code()), body);
}

nlohmann::json TimeOrNull(int64_t epoch_ms) {
  return epoch_ms == 0 ? nlohmann::json(nullptr) : nlohmann::json(events::FormatRfc3339(epoch_ms));
}

}  // namespace rapport::projections
