#include "projections/customer_view/customer_view_routes.h"

#include <charconv>

#include "projections/customer_view/customer_value.h"
#include "projections/customer_view/customer_value_json.h"
#include "projections/customer_view/customer_view_json.h"
#include "projections/customer_view/customer_view_projection.h"
#include "projections/customer_view/model_prediction_json.h"
#include "projections/runtime/customer_reader.h"
#include "projections/runtime/projection_meta.h"

namespace rapport::projections {
namespace {

constexpr size_t kMaxIdLength = 64;

Result<AsOfContext> ReadContext(const Store& store) {
  return ReadAsOfContext(store, CustomerViewProjection::kName);
}

bool Matches(const CustomerListQuery& query, const CustomerValue& value) {
  return (!query.tier || *query.tier == value.tier) && (!query.stage || *query.stage == value.stage) &&
         (!query.state || *query.state == value.state);
}

}  // namespace

Result<CustomerListQuery> ParseCustomerListQuery(const QueryParams& params) {
  CustomerListQuery query;
  // Unknown and repeated names never get here: the route declares its parameters
  // (Route::params, checked by projections/runtime/route_request.h).
  for (const auto& [name, value] : params) {
    if (name == "tier") {
      query.tier = ParseTier(value);
      if (!query.tier) return Status::InvalidArgument(name, "must be A, B, C or D, got \"" + value + "\"");
    } else if (name == "stage") {
      query.stage = ParseLifecycleStage(value);
      if (!query.stage) {
        return Status::InvalidArgument(
            name, "must be exploration, formation, stability or decline, got \"" + value + "\"");
      }
    } else if (name == "state") {
      query.state = ParseCustomerState(value);
      if (!query.state) {
        return Status::InvalidArgument(name,
                                       "must be potential, current, lost or won_back, got \"" + value + "\"");
      }
    } else if (name == "limit") {
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), query.limit);
      if (ec != std::errc() || end != value.data() + value.size() || query.limit < 1 ||
          query.limit > CustomerListQuery::kMaxLimit) {
        return Status::InvalidArgument(name, "must be an integer from 1 to " +
                                                 std::to_string(CustomerListQuery::kMaxLimit) + ", got \"" +
                                                 value + "\"");
      }
    } else if (name == "cursor") {
      if (value.empty() || value.size() > kMaxIdLength) {
        return Status::InvalidArgument(name, "must be a customer id of 1 to 64 bytes");
      }
      query.cursor = value;
    } else {
      return Status::InvalidArgument(name, "unknown parameter (known: tier, stage, state, limit, cursor)");
    }
  }
  return query;
}

HttpResponse GetCustomerWithValue(const Store& store, std::string_view customer_id,
                                  const DomainSettings& settings, const ModelParameters* model) {
  return AnswerCustomer(ReadCustomerView, store, CustomerViewProjection::kName, customer_id, "",
                        [&](const CustomerView& found, const AsOfContext& context) {
                          const CustomerValue value =
                              EvaluateCustomer(found, context.as_of_ms, *context.snapshot, settings);
                          nlohmann::json out = CustomerViewToJson(found);
                          out.update(CustomerValueToJson(value));
                          out.update(ModelPredictionToJson(found, context.as_of_ms, model, settings.value));
                          return JsonResponse(200, out);
                        });
}

HttpResponse ListCustomers(const Store& store, const CustomerListQuery& query,
                           const DomainSettings& settings) {
  auto context = ReadContext(store);
  if (!context.ok()) return ErrorResponse(context.status());
  nlohmann::json customers = nlohmann::json::array();
  std::string last;
  auto it = store.NewIterator(Family::kState);
  if (query.cursor.empty()) {
    it->SeekToFirst();
  } else {
    it->Seek(query.cursor);
    if (it->Valid() && it->key().ToString() == query.cursor) it->Next();
  }
  for (; it->Valid() && static_cast<int>(customers.size()) < query.limit; it->Next()) {
    auto view = DecodeCustomerView(std::string_view(it->value().data(), it->value().size()));
    if (!view.ok())
      return ErrorResponse(view.status().WithContext("stored state of " + it->key().ToString()));
    if (view->is_pointer()) continue;
    const CustomerValue value = EvaluateCustomer(*view, context->as_of_ms, *context->snapshot, settings);
    if (!Matches(query, value)) continue;
    customers.push_back(CustomerSummaryToJson(*view, value));
    last = view->customer_id;
  }
  if (!it->status().ok()) return ErrorResponse(FromRocks(it->status(), "scan customer views"));
  const bool full = static_cast<int>(customers.size()) == query.limit;
  return JsonResponse(200, {{"customers", customers},
                            {"next_cursor", full ? nlohmann::json(last) : nlohmann::json(nullptr)},
                            {"as_of", TimeOrNull(context->as_of_ms)},
                            {"ranking_as_of", TimeOrNull(context->snapshot->as_of_ms)}});
}

HttpResponse GetPyramid(const Store& store) {
  auto context = ReadContext(store);
  if (!context.ok()) return ErrorResponse(context.status());
  return JsonResponse(200, PyramidToJson(*context->snapshot));
}

HttpResponse GetRfmSegments(const Store& store) {
  auto context = ReadContext(store);
  if (!context.ok()) return ErrorResponse(context.status());
  return JsonResponse(200, RfmCellsToJson(*context->snapshot));
}

std::vector<Route> CustomerViewRoutes(const ServeContext& context) {
  const ServeContext c = context;
  auto from_snapshot = [c](HttpResponse (*answer)(const Store&)) {
    return [c, answer](const HttpRequest&) {
      return c.store ? answer(*c.store) : NotServed(CustomerViewProjection::kName);
    };
  };
  return {
      {.pattern = R"(/v1/customers/([^/]+))",
       .answer = [c](const HttpRequest& request) { return CustomerViewOfCustomer(c, request.matches[1]); },
       .customer_in_path = true},
      {.pattern = "/v1/customers",
       .answer = ParsedQueryAnswer(c.store, CustomerViewProjection::kName, ParseCustomerListQuery,
                                   [c](const Store& store, const CustomerListQuery& query) {
                                     return ListCustomers(store, query, c.settings);
                                   }),
       .params = {"tier", "stage", "state", "limit", "cursor"}},
      {"/v1/segments/pyramid", from_snapshot(GetPyramid)},
      {"/v1/segments/rfm", from_snapshot(GetRfmSegments)}};
}

HttpResponse CustomerViewOfCustomer(const ServeContext& context, std::string_view customer_id) {
  if (!context.store) return NotServed(CustomerViewProjection::kName);
  const auto model = context.latest_model ? context.latest_model() : nullptr;
  return GetCustomerWithValue(*context.store, customer_id, context.settings, model.get());
}

}  // namespace rapport::projections
