// Writes the FlatBuffers seed corpus: each JSON seed event encoded as the gateway
// would publish it. Usage: fuzz_wire_seeds OUT_DIR JSON_FILE...

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "events/json_codec.h"
#include "events/wire_codec.h"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: fuzz_wire_seeds OUT_DIR JSON_FILE...\n";
    return 2;
  }
  int written = 0;
  for (int i = 2; i < argc; ++i) {
    std::ifstream in(argv[i]);
    std::stringstream text;
    text << in.rdbuf();
    auto event = rapport::events::DecodeJsonEvent(text.str());
    if (!event.ok()) continue;  // invalid seeds are for the JSON fuzzer
    std::ofstream out(std::string(argv[1]) + "/seed-" + std::to_string(i - 1) + ".bin", std::ios::binary);
    out << rapport::events::EncodeWire(*event);
    ++written;
  }
  std::printf("%d wire seed(s) written\n", written);
  return written > 0 ? 0 : 1;
}
