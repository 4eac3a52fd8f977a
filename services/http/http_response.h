#pragma once
// The library-independent request and answer types live with the projections that
// present them (projections/runtime/http_answer.h); the services use them by these
// names.

#include "projections/runtime/http_answer.h"

namespace rapport::services {

using projections::ErrorResponse;
using projections::HttpRequest;
using projections::HttpResponse;
using projections::HttpStatusFor;
using projections::JsonResponse;
using projections::QueryParams;

}  // namespace rapport::services
