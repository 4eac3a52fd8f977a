#pragma once
// Reading a projection store back in tests: one family's keys and values, and the
// check that two stores hold the same tables (a rebuild against a live fold).

#include <filesystem>
#include <map>
#include <string>
#include <string_view>

#include <catch2/catch.hpp>

#include "storage/store.h"

namespace rapport::testing {

// Every key and value of one family, in key order; meta keys starting with
// `skipped_meta` (when given) left out.
inline std::map<std::string, std::string> Contents(const projections::Store& store, projections::Family family,
                                                   std::string_view skipped_meta = {}) {
  std::map<std::string, std::string> out;
  auto it = store.NewIterator(family);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    std::string key = it->key().ToString();
    if (!skipped_meta.empty() && family == projections::Family::kMeta && key.starts_with(skipped_meta)) continue;
    out[std::move(key)] = it->value().ToString();
  }
  REQUIRE(it->status().ok());
  return out;
}

// The stores in the two directories hold the same state, meta, index and dedupe
// tables, key for key and byte for byte (meta keys starting with `skipped_meta` aside).
inline void RequireSameStores(const std::filesystem::path& expected_dir, const std::filesystem::path& got_dir,
                              std::string_view skipped_meta = {}) {
  using projections::Family;
  auto expected_store = projections::Store::Open(expected_dir, projections::OpenMode::kReadOnly);
  auto got_store = projections::Store::Open(got_dir, projections::OpenMode::kReadOnly);
  REQUIRE(expected_store.ok());
  REQUIRE(got_store.ok());
  for (Family family : {Family::kState, Family::kMeta, Family::kIndex, Family::kDedupe}) {
    INFO("family " << static_cast<int>(family));
    const auto expected = Contents(**expected_store, family, skipped_meta);
    const auto got = Contents(**got_store, family, skipped_meta);
    CHECK(got.size() == expected.size());
    for (const auto& [key, value] : expected) {
      INFO("key " << key);
      auto it = got.find(key);
      REQUIRE(it != got.end());
      CHECK(it->second == value);
    }
  }
}

}  // namespace rapport::testing
