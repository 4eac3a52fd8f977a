#pragma once
// A visitor made of lambdas, one per alternative, for std::visit over an event's
// payload: std::visit(Overloaded{[&](const events::Purchase& p) {...}, ...}, e.payload).

namespace rapport::projections {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};

}  // namespace rapport::projections
