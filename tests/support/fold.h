#pragma once
// The reference answer of the reliability tests: a clean rebuild of the customer
// view by folding the event journal directly (no Kafka, no crashes), and a
// customer-by-customer comparison of two stores.

#include <filesystem>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <unordered_set>

#include <catch2/catch.hpp>

#include "events/wire_codec.h"
#include "projections/customer_view/customer_view_projection.h"
#include "storage/journal.h"
#include "projections/runtime/projector.h"
#include "storage/store.h"

namespace rapport::testing {

// Folds every journaled event, partition by partition in offset order, with the
// runtime's de-duplication rule, into a new store in `dir`.
inline std::unique_ptr<projections::Store> FoldJournal(const projections::Journal& journal,
                                                       const std::filesystem::path& dir,
                                                       const projections::DomainSettings& settings = {}) {
  auto store = projections::Store::Open(dir, projections::OpenMode::kReadWrite);
  REQUIRE(store.ok());
  projections::CustomerViewProjection projection(**store, settings);
  std::unordered_set<std::string> seen;
  int64_t pending = 0;
  auto checkpoint = [&] {
    rocksdb::WriteBatch batch;
    REQUIRE(projection.Checkpoint(batch).ok());
    REQUIRE((*store)->Write(batch).ok());
    projection.Committed();
    pending = 0;
  };
  Status scanned = journal.ScanAll([&](const projections::JournalEntry& entry) {
    if (entry.value.empty()) return Status::Ok();  // a restore filler
    auto event = events::DecodeWire(entry.value);
    if (!event.ok()) return Status::Ok();  // the runtime dead-letters it
    if (!seen.insert(projections::DedupeKey(*event)).second) return Status::Ok();
    RAPPORT_RETURN_IF_ERROR(projection.Apply(*event, {entry.partition, entry.offset}));
    if (++pending == 10'000) checkpoint();
    return Status::Ok();
  });
  REQUIRE(scanned.ok());
  checkpoint();
  return std::move(store).value();
}

struct ViewComparison {
  int64_t customers = 0;     // in the expected store
  int64_t mismatches = 0;    // differ, or missing from the actual store
  int64_t extra = 0;         // in the actual store only
  std::string first_difference;
};

inline std::string Describe(const projections::CustomerView& v) {
  std::ostringstream out;
  out << v.customer_id << ": events=" << v.events << " purchases=" << v.purchases << " revenue=" << v.revenue
      << " cost=" << v.cost << " refunds=" << v.refunds << " complaints=" << v.complaints
      << " visits=" << v.visits << " last_seen=" << v.last_seen_ms;
  return out.str();
}

// The expected view beside the actual one (or "(missing)"), for a failure message.
inline std::string DescribeDifference(const projections::CustomerView& want,
                                      const std::optional<projections::CustomerView>& got) {
  return "expected " + Describe(want) + "\n  actual " + (got.has_value() ? Describe(*got) : std::string("(missing)"));
}

// Every customer view of `expected` must be in `actual`, equal field for field.
inline ViewComparison CompareViews(const projections::Store& expected, const projections::Store& actual) {
  ViewComparison result;
  auto it = expected.NewIterator(projections::Family::kState);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    ++result.customers;
    const std::string id = it->key().ToString();
    auto want = projections::DecodeCustomerView(std::string_view(it->value().data(), it->value().size()));
    auto got = projections::ReadCustomerView(actual, id);
    REQUIRE(want.ok());
    REQUIRE(got.ok());
    if (!got->has_value() || **got != *want) {
      if (result.mismatches++ == 0) {
        result.first_difference = DescribeDifference(*want, *got);
      }
    }
  }
  auto other = actual.NewIterator(projections::Family::kState);
  for (other->SeekToFirst(); other->Valid(); other->Next()) {
    auto want = expected.Get(projections::Family::kState, other->key().ToString());
    REQUIRE(want.ok());
    if (!want->has_value()) ++result.extra;
  }
  return result;
}

// Checks that `actual` holds the same customers as `expected`, field for field, none
// missing and none extra (the first difference in the failure message). Returns the
// comparison for the caller's own checks (how many customers) and report.
inline ViewComparison CheckSameViews(const projections::Store& expected, const projections::Store& actual) {
  ViewComparison comparison = CompareViews(expected, actual);
  INFO(comparison.first_difference);
  CHECK(comparison.mismatches == 0);
  CHECK(comparison.extra == 0);
  return comparison;
}

}  // namespace rapport::testing
