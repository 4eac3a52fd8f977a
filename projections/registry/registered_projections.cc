#include "projections/registry/registered_projections.h"

#include "projections/churn/module.h"
#include "projections/customer_view/module.h"
#include "projections/loyalty/module.h"
#include "projections/satisfaction/module.h"

namespace rapport::projections {

std::vector<const ProjectionModule*> RegisteredProjections() {
  // THE registration list: a new projection adds its module here (and its folder to
  // RAPPORT_PROJECTION_FOLDERS in projections/CMakeLists.txt). docs/extending.md.
  std::vector<const ProjectionModule*> modules = {&kCustomerViewModule, &kSatisfactionModule, &kLoyaltyModule,
                                                  &kChurnModule};
  for (const ProjectionModule* added : AddedProjectionModules()) modules.push_back(added);
  return modules;
}

const ProjectionModule* FindProjection(std::string_view name) {
  for (const ProjectionModule* module : RegisteredProjections()) {
    if (module->name == name) return module;
  }
  return nullptr;
}

}  // namespace rapport::projections
