// projections::DedupeKeys: a set of strings, each key once, through growth; the
// keys read back in insertion order.

#include <string>

#include <catch2/catch.hpp>

#include "storage/dedupe_keys.h"

namespace rapport::projections {
namespace {

std::string Key(int i) { return "c-" + std::to_string(i % 997) + std::string(1, '\0') + "e-" + std::to_string(i); }

TEST_CASE("dedupe keys hold every key inserted once, through growth", "[projections][dedupe_keys]") {
  DedupeKeys keys;
  CHECK(keys.empty());
  CHECK_FALSE(keys.contains(Key(0)));
  for (int i = 0; i < 40'000; ++i) REQUIRE(keys.insert(Key(i)));
  CHECK_FALSE(keys.insert(Key(7)));  // again: refused, counted once
  CHECK(keys.size() == 40'000);
  for (int i = 0; i < 40'000; ++i) REQUIRE(keys.contains(Key(i)));
  for (int i = 40'000; i < 41'000; ++i) REQUIRE_FALSE(keys.contains(Key(i)));
  CHECK_FALSE(keys.contains("c-7"));  // a prefix is another key
}

TEST_CASE("dedupe keys read back as views in insertion order", "[projections][dedupe_keys]") {
  DedupeKeys keys;
  keys.insert("b");
  keys.insert("a");
  keys.insert("b");
  keys.insert(std::string("c\0d", 3));
  const auto views = keys.Views();
  REQUIRE(views.size() == 3);
  CHECK(views[0] == "b");
  CHECK(views[1] == "a");
  CHECK(views[2] == std::string_view("c\0d", 3));
}

}  // namespace
}  // namespace rapport::projections
