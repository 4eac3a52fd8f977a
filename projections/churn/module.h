#pragma once
// The churn projection as a module (projections/runtime/module.h).

#include "projections/runtime/module.h"

namespace rapport::projections {

extern const ProjectionModule kChurnModule;

}  // namespace rapport::projections
