#pragma once
// The example projection as a module (projections/runtime/module.h).

#include "projections/runtime/module.h"

namespace rapport::example {

extern const projections::ProjectionModule kChannelCountsModule;

}  // namespace rapport::example
