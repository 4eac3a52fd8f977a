// Codec cost per event: JSON decode (with validation), FlatBuffers encode, and
// FlatBuffers verify + decode (with validation), over a realistic mix of events.
//   codec_bench [customers]

#include <spdlog/spdlog.h>

#include "bench/bench_util.h"
#include "events/json_codec.h"
#include "events/wire_codec.h"
#include "services/ingest/sample_data.h"

int main(int argc, char** argv) {
  using namespace rapport;
  spdlog::set_level(spdlog::level::warn);
  services::SampleOptions sample;
  sample.customers = argc > 1 ? std::atoi(argv[1]) : 20'000;
  const auto history = services::GenerateSampleHistory(sample);
  std::vector<std::string> json, wire;
  for (const auto& event : history) {
    json.push_back(events::EncodeJsonEvent(event));
    wire.push_back(events::EncodeWire(event));
  }
  const double n = static_cast<double>(history.size());
  std::vector<double> decode_json, encode_wire, decode_wire;
  size_t sink = 0;
  for (int round = 0; round < bench::Repeats(); ++round) {
    auto start = bench::Clock::now();
    for (const auto& text : json) sink += events::DecodeJsonEvent(text).ok();
    decode_json.push_back(bench::SecondsSince(start) * 1e9 / n);
    start = bench::Clock::now();
    for (const auto& event : history) sink += events::EncodeWire(event).size();
    encode_wire.push_back(bench::SecondsSince(start) * 1e9 / n);
    start = bench::Clock::now();
    for (const auto& bytes : wire) sink += events::DecodeWire(bytes).ok();
    decode_wire.push_back(bench::SecondsSince(start) * 1e9 / n);
  }
  double wire_bytes = 0;
  for (const auto& bytes : wire) wire_bytes += static_cast<double>(bytes.size());
  std::printf("codec over %zu events (checksum %zu)\n", history.size(), sink);
  bench::Result("codec_json_decode_ns", bench::Median(decode_json), "ns/event", "JSON parse + validate");
  bench::Result("codec_wire_encode_ns", bench::Median(encode_wire), "ns/event", "FlatBuffers build");
  bench::Result("codec_wire_decode_ns", bench::Median(decode_wire), "ns/event", "FlatBuffers verify + decode + validate");
  bench::Result("codec_json_to_wire_ns", bench::Median(decode_json) + bench::Median(encode_wire), "ns/event",
                "JSON -> FlatBuffers (gateway path)");
  bench::Result("wire_bytes_mean", wire_bytes / n, "bytes", "FlatBuffers envelope size");
  return 0;
}
