#include "projections/customer_view_projection.h"

namespace rapport::projections {

CustomerViewProjection::CustomerViewProjection(Store& store, DomainSettings settings)
    : store_(store),
      settings_(std::move(settings)),
      cache_(store, Family::kState, EncodeCustomerView, DecodeCustomerView) {}

Status CustomerViewProjection::Apply(const events::Event& event, const EventSource& /*source*/) {
  const std::string& key = event.customer_id.str();
  auto view = cache_.Load(key);
  if (!view.ok()) return view.status();
  **view = projections::Apply(std::move(**view), event, settings_);
  cache_.MarkDirty(key);
  return Status::Ok();
}

Status CustomerViewProjection::Checkpoint(rocksdb::WriteBatch& batch) {
  cache_.Checkpoint(batch);
  return Status::Ok();
}

Result<std::optional<CustomerView>> ReadCustomerView(const Store& store, std::string_view customer_id) {
  auto stored = store.Get(Family::kState, customer_id);
  if (!stored.ok()) return stored.status();
  if (!stored->has_value()) return std::optional<CustomerView>();
  auto view = DecodeCustomerView(**stored);
  if (!view.ok()) return view.status();
  return std::optional<CustomerView>(std::move(view).value());
}

}  // namespace rapport::projections
