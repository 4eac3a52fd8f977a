#include "services/query/customer_queries.h"

#include <charconv>
#include <set>

#include "events/time_format.h"
#include "projections/customer_view/customer_value.h"
#include "projections/customer_view/customer_value_json.h"
#include "projections/customer_view/customer_view_json.h"
#include "projections/customer_view/customer_view_projection.h"
#include "projections/customer_view/model_prediction_json.h"
#include "projections/runtime/projection_meta.h"
#include "services/query/merge_pointer_answer.h"

namespace rapport::services {
namespace {

using projections::CustomerValue;
using projections::CustomerView;
using projections::Store;

constexpr size_t kMaxIdLength = 64;

// What a customer is evaluated with: the watermark and the latest snapshot.
struct ValueContext {
  int64_t as_of_ms = 0;
  std::shared_ptr<const projections::ValueSnapshot> snapshot;  // empty (everyone D, no RFM) before the first rebuild
};

Result<ValueContext> ReadContext(const Store& store) {
  ValueContext context;
  auto watermark = projections::ReadWatermark(store);
  if (!watermark.ok()) return watermark.status();
  context.as_of_ms = *watermark;
  auto snapshot = projections::ReadSharedSnapshotOf(store, projections::CustomerViewProjection::kName);
  if (!snapshot.ok()) return snapshot.status();
  context.snapshot = std::move(snapshot).value();
  return context;
}

bool Matches(const CustomerListQuery& query, const CustomerValue& value) {
  return (!query.tier || *query.tier == value.tier) && (!query.stage || *query.stage == value.stage) &&
         (!query.state || *query.state == value.state);
}

nlohmann::json TimeOrNull(int64_t epoch_ms) {
  return epoch_ms == 0 ? nlohmann::json(nullptr) : nlohmann::json(events::FormatRfc3339(epoch_ms));
}

}  // namespace

Result<CustomerListQuery> ParseCustomerListQuery(const QueryParams& params) {
  CustomerListQuery query;
  std::set<std::string> seen;
  for (const auto& [name, value] : params) {
    if (!seen.insert(name).second) return Status::InvalidArgument(name, "given more than once");
    if (name == "tier") {
      query.tier = projections::ParseTier(value);
      if (!query.tier) return Status::InvalidArgument(name, "must be A, B, C or D, got \"" + value + "\"");
    } else if (name == "stage") {
      query.stage = projections::ParseLifecycleStage(value);
      if (!query.stage) {
        return Status::InvalidArgument(
            name, "must be exploration, formation, stability or decline, got \"" + value + "\"");
      }
    } else if (name == "state") {
      query.state = projections::ParseCustomerState(value);
      if (!query.state) {
        return Status::InvalidArgument(name, "must be potential, current, lost or won_back, got \"" + value + "\"");
      }
    } else if (name == "limit") {
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), query.limit);
      if (ec != std::errc() || end != value.data() + value.size() || query.limit < 1 ||
          query.limit > CustomerListQuery::kMaxLimit) {
        return Status::InvalidArgument(
            name, "must be an integer from 1 to " + std::to_string(CustomerListQuery::kMaxLimit) + ", got \"" +
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
                                  const projections::DomainSettings& settings,
                                  const projections::ModelParameters* model) {
  auto view = projections::ReadCustomerView(store, customer_id);
  if (!view.ok()) return ErrorResponse(view.status());
  if (!view->has_value()) return ErrorResponse(Status::NotFound("unknown customer " + std::string(customer_id)));
  const CustomerView& found = **view;
  if (found.is_pointer()) return PointerAnswer(projections::ReadCustomerView, store, found, "");
  auto context = ReadContext(store);
  if (!context.ok()) return ErrorResponse(context.status());
  const CustomerValue value = projections::EvaluateCustomer(found, context->as_of_ms, *context->snapshot, settings);
  nlohmann::json out = projections::CustomerViewToJson(found);
  out.update(projections::CustomerValueToJson(value));
  out.update(projections::ModelPredictionToJson(found, context->as_of_ms, model, settings.value));
  return JsonResponse(200, out);
}

HttpResponse ListCustomers(const Store& store, const CustomerListQuery& query,
                           const projections::DomainSettings& settings) {
  auto context = ReadContext(store);
  if (!context.ok()) return ErrorResponse(context.status());
  nlohmann::json customers = nlohmann::json::array();
  std::string last;
  auto it = store.NewIterator(projections::Family::kState);
  if (query.cursor.empty()) {
    it->SeekToFirst();
  } else {
    it->Seek(query.cursor);
    if (it->Valid() && it->key().ToString() == query.cursor) it->Next();
  }
  for (; it->Valid() && static_cast<int>(customers.size()) < query.limit; it->Next()) {
    auto view = projections::DecodeCustomerView(std::string_view(it->value().data(), it->value().size()));
    if (!view.ok()) return ErrorResponse(view.status().WithContext("stored state of " + it->key().ToString()));
    if (view->is_pointer()) continue;
    const CustomerValue value = projections::EvaluateCustomer(*view, context->as_of_ms, *context->snapshot, settings);
    if (!Matches(query, value)) continue;
    customers.push_back(projections::CustomerSummaryToJson(*view, value));
    last = view->customer_id;
  }
  if (!it->status().ok()) return ErrorResponse(projections::FromRocks(it->status(), "scan customer views"));
  const bool full = static_cast<int>(customers.size()) == query.limit;
  return JsonResponse(200, {{"customers", customers},
                            {"next_cursor", full ? nlohmann::json(last) : nlohmann::json(nullptr)},
                            {"as_of", TimeOrNull(context->as_of_ms)},
                            {"ranking_as_of", TimeOrNull(context->snapshot->as_of_ms)}});
}

HttpResponse GetPyramid(const Store& store) {
  auto context = ReadContext(store);
  if (!context.ok()) return ErrorResponse(context.status());
  return JsonResponse(200, projections::PyramidToJson(*context->snapshot));
}

HttpResponse GetRfmSegments(const Store& store) {
  auto context = ReadContext(store);
  if (!context.ok()) return ErrorResponse(context.status());
  return JsonResponse(200, projections::RfmCellsToJson(*context->snapshot));
}

}  // namespace rapport::services
