// The peer we are measured against: the customer view kept the way a team would do
// it in PostgreSQL. Writes SQL for the same events to stdout: an events table and a
// customer_view table kept by upserts, in transactions of 1,000 events (one
// multi-row INSERT into events plus one upsert per event, a prepared statement as a
// driver would use). bench/run.sh pipes it into psql against a throw-away server on
// loopback, for at most a time limit: the server stamps the start in bench_clock
// after the schema is made (so generating the population is not timed), and the
// rate is the committed events over the time from that stamp.
//   postgres_peer CUSTOMERS [MAX_EVENTS]      the first MAX_EVENTS of the history

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <spdlog/spdlog.h>

#include "bench/bench_util.h"
#include "events/json_codec.h"
#include "events/names.h"
#include "services/ingest/sample_data.h"

namespace {

using namespace rapport;

std::string Quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    out += c;
    if (c == '\'') out += '\'';
  }
  return out + "'";
}

constexpr const char* kPrepareUpsert =
    "PREPARE upsert(text,bigint,bigint,bigint,bigint,bigint,bigint,bigint,bigint) AS "
    "INSERT INTO customer_view VALUES ($1,1,$2,$3,$4,$5,$6,$7,$8,$9) ON CONFLICT (customer_id) DO "
    "UPDATE SET events=customer_view.events+1, purchases=customer_view.purchases+EXCLUDED.purchases, "
    "revenue=customer_view.revenue+EXCLUDED.revenue, cost=customer_view.cost+EXCLUDED.cost, "
    "complaints=customer_view.complaints+EXCLUDED.complaints, visits=customer_view.visits+EXCLUDED.visits, "
    "care_contacts=customer_view.care_contacts+EXCLUDED.care_contacts, "
    "first_seen=LEAST(customer_view.first_seen,EXCLUDED.first_seen), "
    "last_seen=GREATEST(customer_view.last_seen,EXCLUDED.last_seen);\n";

void Upsert(const events::Event& e) {
  int64_t purchases = 0, revenue = 0, cost = 0, complaints = 0, visits = 0, care = 0;
  if (const auto* p = std::get_if<events::Purchase>(&e.payload)) purchases = 1, revenue = p->amount, cost = p->cost;
  if (std::holds_alternative<events::Complaint>(e.payload)) complaints = 1;
  if (std::holds_alternative<events::Visit>(e.payload)) visits = 1;
  if (std::holds_alternative<events::CareContact>(e.payload)) care = 1;
  std::printf("EXECUTE upsert(%s,%lld,%lld,%lld,%lld,%lld,%lld,%lld,%lld);\n", Quote(e.customer_id.str()).c_str(),
              static_cast<long long>(purchases), static_cast<long long>(revenue), static_cast<long long>(cost),
              static_cast<long long>(complaints), static_cast<long long>(visits), static_cast<long long>(care),
              static_cast<long long>(e.occurred_at_ms), static_cast<long long>(e.occurred_at_ms));
}

}  // namespace

int main(int argc, char** argv) {
  spdlog::set_level(spdlog::level::err);
  services::SampleOptions sample;
  sample.customers = argc > 1 ? std::atoi(argv[1]) : 20'000;
  auto history = bench::SampleHistory(sample);
  if (argc > 2) history.resize(std::min(history.size(), static_cast<size_t>(std::strtoull(argv[2], nullptr, 10))));
  std::printf(
      "\\set ON_ERROR_STOP on\n"
      "CREATE TABLE events (event_id text PRIMARY KEY, customer_id text NOT NULL, occurred_at bigint NOT NULL,"
      " type text NOT NULL, body jsonb NOT NULL);\n"
      "CREATE INDEX ON events (customer_id, occurred_at);\n"
      "CREATE TABLE customer_view (customer_id text PRIMARY KEY, events bigint, purchases bigint, revenue bigint,"
      " cost bigint, complaints bigint, visits bigint, care_contacts bigint, first_seen bigint, last_seen bigint);\n"
      "CREATE TABLE bench_clock (started double precision);\n"
      "INSERT INTO bench_clock VALUES (extract(epoch from clock_timestamp()));\n");
  std::fputs(kPrepareUpsert, stdout);
  for (size_t i = 0; i < history.size(); i += 1000) {
    const size_t end = std::min(history.size(), i + 1000);
    std::printf("BEGIN;\nINSERT INTO events VALUES\n");
    for (size_t k = i; k < end; ++k) {
      const auto& e = history[k];
      std::printf("(%s,%s,%lld,'%s',%s)%s\n", Quote(e.event_id.str()).c_str(), Quote(e.customer_id.str()).c_str(),
                  static_cast<long long>(e.occurred_at_ms), std::string(events::Name(e.type())).c_str(),
                  Quote(events::EncodeJsonEvent(e)).c_str(), k + 1 == end ? " ON CONFLICT DO NOTHING;" : ",");
    }
    for (size_t k = i; k < end; ++k) Upsert(history[k]);
    std::printf("COMMIT;\n");
  }
  std::fprintf(stderr, "postgres peer: %zu events\n", history.size());
  return 0;
}
