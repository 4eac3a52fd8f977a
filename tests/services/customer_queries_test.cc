// The customer-value queries over a real store: parameter validation naming the
// parameter, stable paging by customer id, merge pointers, segments.

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "projections/customer_view/customer_view_projection.h"
#include "projections/customer_view/customer_view_routes.h"
#include "tests/support/event_builders.h"
#include "tests/support/temp_dir.h"

namespace rapport::services {
namespace {

using namespace rapport::projections;  // the presenters live in the projection folders

using namespace rapport::testing;
using projections::DomainSettings;

struct Fixture {
  Fixture() {
    auto opened = projections::Store::Open(dir.path() / "db", projections::OpenMode::kReadWrite);
    REQUIRE(opened.ok());
    store = std::move(opened).value();
    DomainSettings settings;
    settings.value.ranking_time_share = 1.0;  // rebuild on event time alone: exact tests
    auto created = projections::CustomerViewProjection::Create(*store, settings);
    REQUIRE(created.ok());
    projection = std::move(created).value();
  }
  void Apply(const std::vector<events::Event>& batch) {
    for (const auto& event : batch) REQUIRE(projection->Apply(event, {Partition(0), Offset(0)}).ok());
    rocksdb::WriteBatch write;
    REQUIRE(projection->Checkpoint(write).ok());
    REQUIRE(store->Write(write).ok());
    projection->Committed();
  }
  TempDir dir;
  std::unique_ptr<projections::Store> store;
  std::unique_ptr<projections::CustomerViewProjection> projection;
};

Status ErrorOf(const QueryParams& params) { return ParseCustomerListQuery(params).status(); }

TEST_CASE("customer list: every bad parameter is an error naming it", "[queries]") {
  CHECK(ErrorOf({{"tier", "E"}}).field() == "tier");
  CHECK(ErrorOf({{"stage", "growth"}}).field() == "stage");
  CHECK(ErrorOf({{"state", "gone"}}).field() == "state");
  CHECK(ErrorOf({{"limit", "0"}}).field() == "limit");
  CHECK(ErrorOf({{"limit", "1001"}}).field() == "limit");
  CHECK(ErrorOf({{"limit", "10x"}}).field() == "limit");
  CHECK(ErrorOf({{"cursor", ""}}).field() == "cursor");
  CHECK(ErrorOf({{"cursor", std::string(65, 'c')}}).field() == "cursor");
  CHECK(ErrorOf({{"sort", "revenue"}}).field() == "sort");
  CHECK(ErrorOf({{"tier", "E"}}).code() == StatusCode::kInvalidArgument);
  auto query = ParseCustomerListQuery({{"tier", "B"}, {"stage", "decline"}, {"state", "lost"}, {"limit", "7"}});
  REQUIRE(query.ok());
  CHECK(query->tier == projections::Tier::kB);
  CHECK(query->stage == projections::LifecycleStage::kDecline);
  CHECK(query->state == projections::CustomerState::kLost);
  CHECK(query->limit == 7);
  CHECK(ParseCustomerListQuery({})->limit == CustomerListQuery::kDefaultLimit);
}

std::vector<std::string> AllPages(const projections::Store& store, CustomerListQuery query, int* pages) {
  std::vector<std::string> ids;
  *pages = 0;
  while (true) {
    auto body = nlohmann::json::parse(ListCustomers(store, query, DomainSettings{}).body);
    ++*pages;
    for (const auto& customer : body["customers"]) ids.push_back(customer["customer_id"]);
    if (body["next_cursor"].is_null()) return ids;
    query.cursor = body["next_cursor"];
  }
}

TEST_CASE("customer list: pages follow customer ids, filters apply, pointers are skipped", "[queries]") {
  Fixture f;
  std::vector<events::Event> batch;
  for (int i = 10; i < 40; ++i) {
    const std::string id = "c-" + std::to_string(i);
    if (i % 3 == 0) {
      batch.push_back(Visit(id, Day(100)));  // potential
    } else {
      batch.push_back(Purchase(id, Day(i % 2 == 0 ? 0 : 95), 100));  // even: lost by day 100 + 365
    }
  }
  batch.push_back(Merge("c-11", "c-13", Day(100)));  // c-13 becomes a pointer to c-11
  batch.push_back(Visit("c-99", Day(366)));          // moves the watermark: the day-0 buyers are lost
  f.Apply(batch);

  int pages = 0;
  CustomerListQuery all;
  all.limit = 7;
  const auto everyone = AllPages(*f.store, all, &pages);
  CHECK(everyone.size() == 30);  // 31 known, c-13 is a pointer
  CHECK(std::is_sorted(everyone.begin(), everyone.end()));
  CHECK(std::find(everyone.begin(), everyone.end(), "c-13") == everyone.end());
  CHECK(pages == 5);

  CustomerListQuery lost;
  lost.state = projections::CustomerState::kLost;
  lost.limit = 3;
  std::vector<std::string> expected;
  for (int i = 10; i < 40; ++i) {
    if (i % 3 != 0 && i % 2 == 0) expected.push_back("c-" + std::to_string(i));
  }
  // c-11 holds c-13's purchase too, at the same instant as its own: a median
  // interval of 0 days, so any pause is more than twice it.
  expected.push_back("c-11");
  std::sort(expected.begin(), expected.end());
  CHECK(AllPages(*f.store, lost, &pages) == expected);

  // A customer added before the cursor does not shift the next page.
  all.limit = 5;
  auto first = nlohmann::json::parse(ListCustomers(*f.store, all, DomainSettings{}).body);
  f.Apply({Visit("c-100", Day(366))});  // sorts between c-10 and c-11
  all.cursor = first["next_cursor"];
  auto second = nlohmann::json::parse(ListCustomers(*f.store, all, DomainSettings{}).body);
  CHECK(first["customers"].back()["customer_id"] == "c-15");
  CHECK(second["customers"].front()["customer_id"] == "c-16");
}

TEST_CASE("customer view: a merged duplicate answers with a pointer to the end of the chain", "[queries]") {
  Fixture f;
  f.Apply({Purchase("a", Day(0), 100), Merge("b", "a", Day(1)), Merge("c", "b", Day(2))});
  auto pointer = GetCustomerWithValue(*f.store, "a", DomainSettings{});
  CHECK(pointer.status == 200);
  auto body = nlohmann::json::parse(pointer.body);
  CHECK(body["merged_into"] == "c");
  CHECK(body["location"] == "/v1/customers/c");
  auto survivor = nlohmann::json::parse(GetCustomerWithValue(*f.store, "c", DomainSettings{}).body);
  CHECK(survivor["revenue"] == 100);
  CHECK(survivor["merged_from"] == nlohmann::json({"b", "a"}));
  CHECK(survivor["historic_value"] == 100);
  CHECK(survivor["state"] == "current");
  CHECK(survivor["lifecycle_stage"] == "exploration");
  CHECK(GetCustomerWithValue(*f.store, "nobody", DomainSettings{}).status == 404);
}

TEST_CASE("segments: pyramid and RFM cells answer from the ranking snapshot", "[queries]") {
  Fixture f;
  std::vector<events::Event> batch;
  for (int i = 0; i < 100; ++i) batch.push_back(Purchase("c-" + std::to_string(1000 + i), Day(i), 10 * (i + 1), i));
  f.Apply(batch);
  auto pyramid = nlohmann::json::parse(GetPyramid(*f.store).body);
  CHECK(pyramid["customers"] == 100);
  CHECK(pyramid["tiers"]["A"]["customers"] == 1);
  CHECK(pyramid["tiers"]["A"]["revenue"] == 1000);
  CHECK(pyramid["tiers"]["B"]["customers"] == 4);
  CHECK(pyramid["tiers"]["C"]["customers"] == 15);
  CHECK(pyramid["tiers"]["D"]["customers"] == 80);
  CHECK(pyramid["thresholds"]["A"]["min_value"] == 1000);
  CHECK(pyramid["thresholds"]["C"]["min_value"] == 810);
  CHECK(pyramid["basis"] == "revenue");
  auto rfm = nlohmann::json::parse(GetRfmSegments(*f.store).body);
  // Recency and money rank the later customers first; frequency is 1 for all, so
  // the tie goes by customer id: the earlier customers first.
  CHECK(rfm["customers"] == 100);
  CHECK(rfm["cells"] == nlohmann::json({{"151", 20}, {"242", 20}, {"333", 20}, {"424", 20}, {"515", 20}}));
}

}  // namespace
}  // namespace rapport::services
