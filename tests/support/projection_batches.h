#pragma once
// What the projection tests share: a read-write store in a temp dir, settings whose
// rankings follow event time alone, and one batch applied the way the runtime does.

#include <memory>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "events/event.h"
#include "projections/domain/domain_settings.h"
#include "projections/runtime/projection.h"
#include "storage/store.h"
#include "tests/support/temp_dir.h"

namespace rapport::testing {

// A read-write store in `dir`/db.
inline std::unique_ptr<projections::Store> OpenStore(const TempDir& dir) {
  auto store = projections::Store::Open(dir.path() / "db", projections::OpenMode::kReadWrite);
  REQUIRE(store.ok());
  return std::move(store).value();
}

// Rebuilds follow event time alone (no wall-time budget), so tests are exact.
inline projections::DomainSettings EventTimeOnly() {
  projections::DomainSettings settings;
  settings.value.ranking_time_share = 1.0;
  return settings;
}

// What the runtime does with one batch: fold each event, checkpoint, write, commit.
template <typename P>
void ApplyBatch(P& projection, projections::Store& store, const std::vector<events::Event>& batch) {
  for (const events::Event& event : batch) {
    REQUIRE(projection.Apply(event, projections::EventSource{Partition(0), Offset(0)}).ok());
  }
  rocksdb::WriteBatch write;
  REQUIRE(projection.Checkpoint(write).ok());
  REQUIRE(store.Write(write).ok());
  projection.Committed();
}

}  // namespace rapport::testing
