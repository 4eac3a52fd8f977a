#include "projections/customer_view/customer_view_projection.h"

#include "events/time_format.h"
#include "projections/customer_view/customer_merge.h"
#include "projections/customer_view/customer_value.h"
#include "projections/runtime/projection_meta.h"

namespace rapport::projections {
namespace {

// The merge rules of customer_merge.h over the projection's state cache.
class CachedViews final : public CustomerViews {
 public:
  explicit CachedViews(StateCache<CustomerView>& cache) : cache_(cache) {}
  Result<CustomerView*> Find(const std::string& id) override { return cache_.Load(id); }
  void Changed(const std::string& id) override { cache_.MarkDirty(id); }

 private:
  StateCache<CustomerView>& cache_;
};

}  // namespace

Result<std::unique_ptr<CustomerViewProjection>> CustomerViewProjection::Create(Store& store,
                                                                               DomainSettings settings) {
  RAPPORT_RETURN_IF_ERROR(CheckCustomerValueSettings(settings));
  auto projection = std::make_unique<CustomerViewProjection>(store, std::move(settings));
  RAPPORT_RETURN_IF_ERROR(projection->ranking_.Start());
  return projection;
}

CustomerViewProjection::CustomerViewProjection(Store& store, DomainSettings settings)
    : store_(store),
      settings_(std::move(settings)),
      cache_(store, Family::kState, EncodeCustomerView, DecodeCustomerView),
      ranking_(store, kName, settings_.value, [this](int64_t as_of_ms) {
        return RankStates(store_, cache_, DecodeCustomerView, RankedHistory<CustomerView>, as_of_ms,
                          RankingParams::From(settings_.value));
      }) {}

Status CustomerViewProjection::Apply(const events::Event& event, const EventSource& /*source*/) {
  RAPPORT_RETURN_IF_ERROR(ranking_.Start());
  CachedViews views(cache_);
  RAPPORT_RETURN_IF_ERROR(ApplyEvent(views, event, settings_));
  ranking_.Advance(event.occurred_at_ms);
  return Status::Ok();
}

Status CustomerViewProjection::Checkpoint(rocksdb::WriteBatch& batch) {
  RAPPORT_RETURN_IF_ERROR(ranking_.Checkpoint(batch));
  cache_.Checkpoint(batch);
  return Status::Ok();
}

void CustomerViewProjection::Committed() {
  cache_.Committed();
  ranking_.Committed();
}

void CustomerViewProjection::SetStateCacheLimit(size_t max_entries) {
  cache_.set_max_entries(max_entries);
}

void CustomerViewProjection::DropCache() {
  cache_.DropAll();
  ranking_.Dropped();
}

Status CustomerViewProjection::Idle() { return ranking_.Idle(); }

Result<std::optional<CustomerView>> ReadCustomerView(const Store& store, std::string_view customer_id) {
  auto stored = store.Get(Family::kState, customer_id);
  if (!stored.ok()) return stored.status();
  if (!stored->has_value()) return std::optional<CustomerView>();
  auto view = DecodeCustomerView(**stored);
  if (!view.ok()) return view.status();
  return std::optional<CustomerView>(std::move(view).value());
}

Result<int64_t> ReadWatermark(const Store& store) {
  return ReadWatermarkOf(store, CustomerViewProjection::kName);
}

Result<std::optional<ValueSnapshot>> ReadValueSnapshot(const Store& store) {
  return ReadSnapshotOf(store, CustomerViewProjection::kName);
}

}  // namespace rapport::projections
