// The example projection's one module declaration (docs/extending.md): its name,
// factory, customer answer and route (no settings of its own: docs/extending.md). Nothing outside this folder
// names it.

#include "tests/example_projection/channel_counts/module.h"

#include "events/names.h"
#include "tests/example_projection/channel_counts/channel_counts.h"

namespace rapport::example {
namespace {

using projections::HttpRequest;
using projections::HttpResponse;
using projections::ServeContext;

constexpr std::string_view kName = ChannelCountsProjection::kName;

Result<std::unique_ptr<projections::Projection>> Create(projections::Store& store,
                                                        const projections::DomainSettings&,
                                                        const projections::ProjectionDeps&) {
  return std::unique_ptr<projections::Projection>(std::make_unique<ChannelCountsProjection>(store));
}

// GET /v1/customers/{id}/channels: {"customer_id", "channels": {"web": 3, ...}}.
HttpResponse CustomerChannels(const ServeContext& context, std::string_view customer_id) {
  if (!context.store) return projections::NotServed(kName);
  auto counts = ReadChannelCounts(*context.store, customer_id);
  if (!counts.ok()) return projections::ErrorResponse(counts.status());
  if (!counts->has_value()) {
    return projections::ErrorResponse(Status::NotFound("unknown customer " + std::string(customer_id)));
  }
  nlohmann::json channels = nlohmann::json::object();
  for (int i = 0; i < events::kChannelCount; ++i) {
    channels[std::string(events::Name(static_cast<events::Channel>(i)))] =
        (**counts).channels[static_cast<size_t>(i)];
  }
  return projections::JsonResponse(200, {{"customer_id", (**counts).customer_id}, {"channels", channels}});
}

std::vector<projections::Route> Routes(const ServeContext& context) {
  // No query parameters; the path's group is a customer id.
  return {
      {.pattern = R"(/v1/customers/([^/]+)/channels)",
       .answer =
           [context](const HttpRequest& request) { return CustomerChannels(context, request.matches[1]); },
       .customer_in_path = true}};
}

}  // namespace

const projections::ProjectionModule kChannelCountsModule{
    .name = kName,
    .create = Create,
    .customer = CustomerChannels,
    .routes = Routes,
};

// The one registration line. A built-in projection is named in
// projections/registry/registered_projections.cc instead; this one is linked into
// its test binary only, so it registers itself (docs/extending.md).
RAPPORT_REGISTER_PROJECTION(kChannelCountsModule);

}  // namespace rapport::example
