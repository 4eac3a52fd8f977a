#pragma once
// The loyalty projection as a module (projections/runtime/module.h).

#include "projections/runtime/module.h"

namespace rapport::projections {

extern const ProjectionModule kLoyaltyModule;

}  // namespace rapport::projections
