#pragma once
// The customer view as a module (projections/runtime/module.h).

#include "projections/runtime/module.h"

namespace rapport::projections {

extern const ProjectionModule kCustomerViewModule;

}  // namespace rapport::projections
