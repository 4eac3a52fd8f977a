#pragma once
// The worked example of docs/extending.md: a projection that counts each customer's
// events per channel. Deliberately small: no merges, no ranking, no watermark; what
// it shows is how a projection plugs in (module.cc), not a fold worth having.
//
// Store: the state family holds one entry per customer id, the counts as JSON
// ({"customer_id": ..., "channels": [n per events::Channel]}).
// Threading: as projections/runtime/projection.h.

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "events/event.h"
#include "projections/runtime/projection.h"
#include "storage/store.h"

namespace rapport::example {

struct ChannelCounts {
  std::string customer_id;
  std::array<int64_t, events::kChannelCount> channels{};
};

std::string EncodeChannelCounts(const ChannelCounts& counts);
Result<ChannelCounts> DecodeChannelCounts(std::string_view bytes);
// One customer's counts; nullopt when the store has none.
Result<std::optional<ChannelCounts>> ReadChannelCounts(const projections::Store& store, std::string_view customer_id);

class ChannelCountsProjection final : public projections::Projection {
 public:
  static constexpr std::string_view kName = "channel-counts";

  explicit ChannelCountsProjection(projections::Store& store) : store_(store) {}

  std::string_view name() const override { return kName; }
  Status Apply(const events::Event& event, const projections::EventSource& source) override;
  Status Checkpoint(rocksdb::WriteBatch& batch) override;
  void DropCache() override { changed_.clear(); }

 private:
  projections::Store& store_;
  std::map<std::string, ChannelCounts> changed_;  // since the last checkpoint
};

}  // namespace rapport::example
