// Merging duplicates (CustomersMerged): the survivor holds both histories whatever
// order the two partitions are consumed in; the duplicate becomes a pointer.

#include <algorithm>
#include <random>

#include <catch2/catch.hpp>

#include "projections/customer_view/customer_merge.h"
#include "tests/support/event_builders.h"

namespace rapport::projections {
namespace {

using events::Event;
using namespace rapport::testing;

CustomerBook Fold(const std::vector<Event>& history) {
  CustomerBook book;
  for (const Event& event : history) {
    Status applied = ApplyEvent(book, event, DomainSettings{});
    INFO(applied.ToString());
    REQUIRE(applied.ok());
  }
  return book;
}

CustomerView ViewOf(CustomerBook& book, const std::string& id) { return **book.Find(id); }

// Sue (s) and her duplicate account (d), merged on day 30.
struct Duplicates {
  std::vector<Event> survivor = {Registered("s", Day(0), "Sue"), Purchase("s", Day(10), 5000, 3000),
                                 Merge("s", "d", Day(30))};
  std::vector<Event> duplicate = {Registered("d", Day(1), "Susan", "+31 6"), Purchase("d", Day(5), 1000, 400),
                                  Visit("d", Day(20)), Purchase("d", Day(40), 2000, 1000)};
};

TEST_CASE("merge: the survivor holds both histories, the duplicate points to it", "[merge]") {
  Duplicates d;
  std::vector<Event> history = d.survivor;
  history.insert(history.end(), d.duplicate.begin(), d.duplicate.end());  // d's partition lags behind
  CustomerBook book = Fold(history);

  CustomerView s = ViewOf(book, "s");
  CHECK(s.events == 7);
  CHECK(s.purchases == 3);
  CHECK(s.revenue == 8000);
  CHECK(s.profit() == 3600);
  CHECK(s.visits == 1);
  CHECK(s.purchase_history.count() == 3);
  CHECK(s.first_seen_ms == Day(0));
  CHECK(s.last_seen_ms == Day(40));
  CHECK(s.first_purchase_ms == Day(5));
  CHECK(s.profile.display_name == "Sue");  // the survivor's profile wins...
  CHECK(s.profile.phone == "+31 6");       // ...and the duplicate fills what it lacked
  CHECK(s.merged_from == std::vector<std::string>{"d"});

  CustomerView pointer = ViewOf(book, "d");
  CHECK(pointer.merged_into == "s");
  CHECK(pointer.merged_at_ms == Day(30));
  CHECK(pointer.purchases == 0);
  CHECK(pointer.profile.display_name.empty());
}

TEST_CASE("merge: any interleaving of the two partitions gives the same views", "[merge]") {
  Duplicates d;
  std::vector<Event> in_order = d.survivor;
  in_order.insert(in_order.begin() + 2, d.duplicate.begin(), d.duplicate.end());  // d before the merge
  CustomerBook reference = Fold(in_order);
  std::mt19937_64 rng(3);
  for (int round = 0; round < 30; ++round) {
    // Random merge of the two sequences, each keeping its own order.
    std::vector<Event> history;
    size_t a = 0, b = 0;
    while (a < d.survivor.size() || b < d.duplicate.size()) {
      const bool take_survivor = b == d.duplicate.size() || (a < d.survivor.size() && rng() % 2 == 0);
      history.push_back(take_survivor ? d.survivor[a++] : d.duplicate[b++]);
    }
    CustomerBook book = Fold(history);
    CHECK(ViewOf(book, "s") == ViewOf(reference, "s"));
    CHECK(ViewOf(book, "d") == ViewOf(reference, "d"));
  }
}

TEST_CASE("merge: a merge seen before any event of the duplicate forwards them all", "[merge]") {
  CustomerBook book = Fold({Merge("s", "d", Day(0)), Purchase("d", Day(1), 700), Registered("d", Day(2), "D")});
  CHECK(ViewOf(book, "s").revenue == 700);
  CHECK(ViewOf(book, "s").profile.display_name == "D");  // the survivor had none
  CHECK(ViewOf(book, "s").registered);
  CHECK(ViewOf(book, "d").merged_into == "s");
}

TEST_CASE("merge: chains resolve to the last survivor", "[merge]") {
  CustomerBook book = Fold({Purchase("a", Day(0), 1), Purchase("b", Day(0), 10), Merge("b", "a", Day(1)),
                            Purchase("c", Day(0), 100), Merge("c", "b", Day(2)), Purchase("a", Day(3), 1000),
                            Merge("b", "x", Day(4))});  // a merge sent to b, now a pointer: c absorbs x
  CHECK(ViewOf(book, "c").revenue == 1111);
  CHECK(ViewOf(book, "c").merged_from == std::vector<std::string>{"b", "a", "x"});
  CHECK(*ResolveSurvivorIn(book, "a") == "c");
  CHECK(ViewOf(book, "a").merged_into == "b");  // the stored pointer; readers follow the chain
  CHECK(ViewOf(book, "x").merged_into == "c");
}

TEST_CASE("merge: repeating a merge, or merging back, counts nothing twice", "[merge]") {
  CustomerBook book = Fold({Purchase("d", Day(0), 100), Merge("s", "d", Day(1)), Merge("s", "d", Day(2)),
                            Merge("d", "s", Day(3))});
  const CustomerView s = ViewOf(book, "s");
  CHECK(s.revenue == 100);
  CHECK(s.events == 4);  // the purchase and three merge events
  CHECK(s.merged_from == std::vector<std::string>{"d"});
  CHECK_FALSE(s.is_pointer());
}

TEST_CASE("merge: a duplicate already merged elsewhere is an error and changes nothing", "[merge]") {
  CustomerBook book = Fold({Purchase("d", Day(0), 100), Merge("s", "d", Day(1)), Purchase("x", Day(0), 5)});
  const auto before = book.Known();
  Status status = ApplyEvent(book, Merge("x", "d", Day(2)), DomainSettings{});
  CHECK(status.code() == StatusCode::kInvalidArgument);
  CHECK(status.field() == "merged_customer_id");
  CHECK(book.Known() == before);
}

TEST_CASE("merge: erasure of either side erases the merged customer", "[merge]") {
  CustomerBook erased_duplicate = Fold({Registered("s", Day(0), "Sue", "+1"), Registered("d", Day(0), "D"),
                                        Erase("d", Day(1)), Merge("s", "d", Day(2))});
  CHECK(ViewOf(erased_duplicate, "s").erased);
  CHECK(ViewOf(erased_duplicate, "s").profile.display_name.empty());
  CHECK(ViewOf(erased_duplicate, "s").profile.phone.empty());

  CustomerBook erased_survivor = Fold({Registered("s", Day(0), "Sue"), Erase("s", Day(1)), Merge("s", "d", Day(2)),
                                       Registered("d", Day(3), "Dee", "+2")});
  CHECK(ViewOf(erased_survivor, "s").profile.display_name.empty());  // a forwarded profile stays out
  CHECK(ViewOf(erased_survivor, "s").profile.phone.empty());

  CustomerBook erased_after = Fold({Registered("s", Day(0), "Sue"), Merge("s", "d", Day(1)), Erase("d", Day(2))});
  CHECK(ViewOf(erased_after, "s").erased);  // the duplicate's erasure follows the pointer
  CHECK(ViewOf(erased_after, "s").profile.display_name.empty());
}

TEST_CASE("merge: the storage codec keeps pointers and merged ids", "[merge]") {
  CustomerBook book = Fold({Purchase("d", Day(0), 100), Merge("s", "d", Day(1))});
  for (const std::string id : {"s", "d"}) {
    auto decoded = DecodeCustomerView(EncodeCustomerView(ViewOf(book, id)));
    REQUIRE(decoded.ok());
    CHECK(*decoded == ViewOf(book, id));
  }
}

}  // namespace
}  // namespace rapport::projections
