#pragma once
// A churn projection over a real RocksDB store in a temp dir, driven as the
// projector drives it (apply, then checkpoint + write + committed), with its alert
// log read back: the common ground of the churn projection tests.

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>
#include <rocksdb/write_batch.h>

#include "projections/churn/churn_projection.h"
#include "tests/support/temp_dir.h"

namespace rapport::testing {

struct ChurnHarness {
  // `partitions`: the interactions partitions whose watermarks make event time;
  // `fits`: the published BG/NBD fits (ChurnDeps::fits), none by default.
  explicit ChurnHarness(int partitions = 1, std::function<std::vector<projections::ModelParameters>()> fits = {})
      : deps{partitions, false, std::move(fits)} {
    auto opened = projections::Store::Open(dir.path() / "churn", projections::OpenMode::kReadWrite);
    REQUIRE(opened.ok());
    store = std::move(opened).value();
    Reopen();
  }
  // A new projection over the same store, as after a restart.
  void Reopen() {
    projection.reset();
    auto created = projections::ChurnProjection::Create(*store, settings, deps);
    REQUIRE(created.ok());
    projection = std::move(created).value();
  }
  Status TryApply(const events::Event& e, int partition = 0) {
    return projection->Apply(e, projections::EventSource{Partition(partition), Offset(0)});
  }
  void Apply(const events::Event& e, int partition = 0) { REQUIRE(TryApply(e, partition).ok()); }
  void Commit() {
    rocksdb::WriteBatch batch;
    REQUIRE(projection->Checkpoint(batch).ok());
    REQUIRE(store->Write(batch).ok());
    projection->Committed();
  }
  std::vector<projections::AlertEvent> Log() {
    auto log = projections::ReadAlertLog(*store, 0, 1000);
    REQUIRE(log.ok());
    return *log;
  }
  std::vector<projections::AlertEvent> Of(const std::string& customer) {
    std::vector<projections::AlertEvent> out;
    for (auto& alert : Log())
      if (alert.customer_id == customer) out.push_back(alert);
    return out;
  }

  TempDir dir;
  projections::DomainSettings settings;
  projections::ChurnDeps deps;
  std::unique_ptr<projections::Store> store;
  std::unique_ptr<projections::ChurnProjection> projection;
};

}  // namespace rapport::testing
