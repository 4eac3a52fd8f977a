#pragma once
// The projections this build runs: the one registration list.

#include <string_view>
#include <vector>

#include "projections/runtime/module.h"

namespace rapport::projections {

// The built-in modules in their fixed order (the customer view first), then any
// added with RAPPORT_REGISTER_PROJECTION / RegisterProjectionModule.
std::vector<const ProjectionModule*> RegisteredProjections();

// The module of that name; null when none is registered.
const ProjectionModule* FindProjection(std::string_view name);

}  // namespace rapport::projections
