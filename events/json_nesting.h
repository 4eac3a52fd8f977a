#pragma once
// A bound on JSON nesting, checked by a scan before a full parser builds a tree: an
// event is one flat object, so anything nested deeper than a few levels is an attack
// or a mistake, and a parser given 100,000 '[' spends memory and time on it.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace rapport::events {

inline constexpr size_t kMaxJsonNesting = 8;  // the event object itself is level 1

struct DeepNesting {
  std::string field;  // the top-level member whose value nests too deep; empty at the top
};

// Set when an array or object in `text` opens more than `max_depth` levels deep.
// Strings (and brackets inside them) are skipped; anything else is left to the
// parser, which reports invalid JSON itself.
std::optional<DeepNesting> FindDeepNesting(std::string_view text, size_t max_depth = kMaxJsonNesting);

}  // namespace rapport::events
