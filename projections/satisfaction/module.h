#pragma once
// The satisfaction projection as a module (projections/runtime/module.h).

#include "projections/runtime/module.h"

namespace rapport::projections {

extern const ProjectionModule kSatisfactionModule;

}  // namespace rapport::projections
