#pragma once
// Kafka hands out payloads at any address; FlatBuffers reads scalars in place and
// needs them aligned (its verifier only checks alignment relative to the buffer
// start). Every reader of a FlatBuffers payload passes it through here first.

#include <string_view>

namespace rapport::events {

// `bytes` when they are 8-byte aligned; otherwise a copy of them in a thread-local
// aligned scratch buffer, valid until this thread's next call.
std::string_view AlignedForFlatBuffers(std::string_view bytes);

}  // namespace rapport::events
