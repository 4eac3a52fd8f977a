#include "events/aligned_bytes.h"

#include <cstdint>
#include <cstring>
#include <vector>

namespace rapport::events {

std::string_view AlignedForFlatBuffers(std::string_view bytes) {
  if (reinterpret_cast<uintptr_t>(bytes.data()) % alignof(uint64_t) == 0) return bytes;
  thread_local std::vector<uint64_t> aligned;
  aligned.resize(bytes.size() / sizeof(uint64_t) + 1);
  std::memcpy(aligned.data(), bytes.data(), bytes.size());
  return std::string_view(reinterpret_cast<const char*>(aligned.data()), bytes.size());
}

}  // namespace rapport::events
