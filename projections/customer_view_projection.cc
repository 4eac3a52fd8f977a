#include "projections/customer_view_projection.h"

#include <charconv>

#include "events/time_format.h"
#include "projections/customer_merge.h"
#include "projections/customer_value.h"

namespace rapport::projections {
namespace {

// kMeta keys; the runtime's own keys start with "offset/".
constexpr std::string_view kWatermarkKey = "customer-view/watermark";
constexpr std::string_view kSnapshotKey = "customer-view/value-snapshot";

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
  RAPPORT_RETURN_IF_ERROR(projection->Start());
  return projection;
}

CustomerViewProjection::CustomerViewProjection(Store& store, DomainSettings settings)
    : store_(store),
      settings_(std::move(settings)),
      cache_(store, Family::kState, EncodeCustomerView, DecodeCustomerView),
      schedule_(settings_.value.ranking_refresh_hours, settings_.value.ranking_time_share) {}

Status CustomerViewProjection::Start() {
  if (started_) return Status::Ok();
  auto watermark = ReadWatermark(store_);
  if (!watermark.ok()) return watermark.status();
  watermark_ms_ = *watermark;
  started_ = true;
  // Settings may have changed since the last run: rank again from what is stored.
  return RefreshRanking();
}

Status CustomerViewProjection::Apply(const events::Event& event, const EventSource& /*source*/) {
  RAPPORT_RETURN_IF_ERROR(Start());
  CachedViews views(cache_);
  RAPPORT_RETURN_IF_ERROR(ApplyEvent(views, event, settings_));
  watermark_ms_ = std::max(watermark_ms_, event.occurred_at_ms);
  return Status::Ok();
}

Status CustomerViewProjection::Checkpoint(rocksdb::WriteBatch& batch) {
  RAPPORT_RETURN_IF_ERROR(Start());
  if (schedule_.DueWithinBudget(watermark_ms_)) {
    const auto started = std::chrono::steady_clock::now();
    auto snapshot = BuildSnapshot();
    if (!snapshot.ok()) return snapshot.status();
    batch.Put(store_.handle(Family::kMeta), kSnapshotKey, EncodeValueSnapshot(*snapshot));
    schedule_.Rebuilt(snapshot->as_of_ms, started);
  }
  cache_.Checkpoint(batch);
  batch.Put(store_.handle(Family::kMeta), kWatermarkKey, std::to_string(watermark_ms_));
  return Status::Ok();
}

void CustomerViewProjection::Committed() {
  cache_.Committed();
  schedule_.Committed();
}

void CustomerViewProjection::DropCache() {
  cache_.DropAll();
  schedule_.Dropped();
}

Status CustomerViewProjection::Idle() {
  if (!started_ || !schedule_.Due(watermark_ms_)) return Status::Ok();
  return RefreshRanking();
}

Status CustomerViewProjection::RefreshRanking() {
  const auto started = std::chrono::steady_clock::now();
  auto snapshot = BuildSnapshot();
  if (!snapshot.ok()) return snapshot.status();
  // Only the snapshot: states travel with their offsets in the runtime's batches.
  rocksdb::WriteBatch batch;
  batch.Put(store_.handle(Family::kMeta), kSnapshotKey, EncodeValueSnapshot(*snapshot));
  RAPPORT_RETURN_IF_ERROR(store_.Write(batch));
  schedule_.RebuiltAndCommitted(snapshot->as_of_ms, started);
  return Status::Ok();
}

Result<ValueSnapshot> CustomerViewProjection::BuildSnapshot() const {
  const RankingParams params = RankingParams::From(settings_.value);
  std::vector<ValueInputs> inputs;
  auto add = [&](const CustomerView& view) {
    if (!view.customer_id.empty() && !view.is_pointer()) inputs.push_back(InputsOf(view, watermark_ms_, params));
  };
  cache_.ForEachCached([&](const std::string&, const CustomerView& view) { add(view); });
  auto it = store_.NewIterator(Family::kState);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (cache_.Cached(it->key().ToString())) continue;
    auto view = DecodeCustomerView(std::string_view(it->value().data(), it->value().size()));
    if (!view.ok()) return view.status().WithContext("stored state of " + it->key().ToString());
    add(*view);
  }
  if (!it->status().ok()) return FromRocks(it->status(), "scan customer views");
  return BuildValueSnapshot(inputs, watermark_ms_, params);
}

Result<std::optional<CustomerView>> ReadCustomerView(const Store& store, std::string_view customer_id) {
  auto stored = store.Get(Family::kState, customer_id);
  if (!stored.ok()) return stored.status();
  if (!stored->has_value()) return std::optional<CustomerView>();
  auto view = DecodeCustomerView(**stored);
  if (!view.ok()) return view.status();
  return std::optional<CustomerView>(std::move(view).value());
}

Result<int64_t> ReadWatermark(const Store& store) {
  auto stored = store.Get(Family::kMeta, kWatermarkKey);
  if (!stored.ok()) return stored.status();
  if (!stored->has_value()) return int64_t{0};
  int64_t value = 0;
  const std::string& text = **stored;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return Status::Corruption("stored watermark is not a number: " + text);
  }
  return value;
}

Result<std::optional<ValueSnapshot>> ReadValueSnapshot(const Store& store) {
  auto stored = store.Get(Family::kMeta, kSnapshotKey);
  if (!stored.ok()) return stored.status();
  if (!stored->has_value()) return std::optional<ValueSnapshot>();
  auto snapshot = DecodeValueSnapshot(**stored);
  if (!snapshot.ok()) return snapshot.status();
  return std::optional<ValueSnapshot>(std::move(snapshot).value());
}

}  // namespace rapport::projections
