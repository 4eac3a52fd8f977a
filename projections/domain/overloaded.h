#pragma once
// A visitor made of lambdas, one per alternative, for std::visit over an event's
// payload: std::visit(Overloaded{[&](const events::Purchase& p) {...}, ...}, e.payload).

namespace rapport::projections {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
// C++20 deduces this for an aggregate; clang 14 (the fuzz build) still needs the guide.
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

}  // namespace rapport::projections
