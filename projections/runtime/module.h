#pragma once
// A projection is a module: its folder declares ONE ProjectionModule (module.cc)
// and the registration list (projections/registry/registered_projections.cc) names
// it once. The platform, the query API, replay, diff, export and the CLI loop over
// the registered modules and never compare a projection's name; a missed hook is a
// null field the callers skip, not a string compare that silently fails.
//
//   const ProjectionModule kLoyaltyModule{
//       .name = "loyalty",                    // consumer group rapport.<name>, store <data-dir>/<name>
//       .bind_settings = BindLoyaltySettings, // its section of the config, defaults in DomainSettings
//       .check_settings = CheckLoyaltySettings,
//       .create = CreateLoyalty,              // the fold the projector runs
//       .customer = LoyaltyOfCustomer,        // one customer as the query API shows it (and diff)
//       .routes = LoyaltyRoutes,              // GET /v1/customers/{id}/loyalty, /v1/segments/loyalty
//   };
//
// Modules are immutable constants; the registry is filled before main (static
// initialisation) and only read afterwards, so reads need no lock.

#include <atomic>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "events/status.h"
#include "models/model_parameters.h"
#include "projections/domain/domain_settings.h"
#include "projections/runtime/http_answer.h"
#include "projections/runtime/projection.h"
#include "projections/runtime/settings_section.h"
#include "storage/store.h"

namespace rapport::projections {

// What the process that runs a projection gives its factory. The defaults suit a
// replay or a tool: no wall clock, the partition count from the settings.
struct ProjectionDeps {
  // Partitions of the interactions topic (a projection may wait for each one's
  // watermark, so pass the real count); 0: the default topic's.
  int partitions = 0;
  bool live = false;  // the live service: a projection may act on the wall clock
  // The published model fits (for modules with uses_model_fits); absent: only
  // those the projection's store already holds.
  std::function<std::vector<ModelParameters>()> model_fits;
};

// What a module's presenters read: its store (null when this process does not
// serve the projection: its routes answer 503), the settings it is evaluated with,
// and what the process lends it.
struct ServeContext {
  const Store* store = nullptr;
  DomainSettings settings;
  // The latest published model parameters; null function or null answer: none.
  std::function<std::shared_ptr<const ModelParameters>()> latest_model;
  // Set when the server shuts down: long answers (event streams) end.
  const std::atomic<bool>* stopping = nullptr;
};

// Something a module runs beside its projector in the live service (churn: alert
// delivery). Stopped before its store closes.
class SideProcess {
 public:
  virtual ~SideProcess() = default;
  virtual void Stop() = 0;
};

// Services-only helpers a module's side processes need, lent by the process (the
// projection folders cannot include services/).
class SideProcessHost {
 public:
  virtual ~SideProcessHost() = default;
  // Delivers the alert log of `store` (its outbox to the alert topic, and webhooks).
  virtual Result<std::unique_ptr<SideProcess>> StartAlertDelivery(Store& store,
                                                                  const DomainSettings& settings) = 0;
};

struct ProjectionModule {
  // Consumer group suffix (rapport.<name>) and store folder (<data-dir>/<name>).
  std::string_view name;
  // Binds the module's own settings (under "domain.<section>."); null: none.
  void (*bind_settings)(SettingsSection& section, DomainSettings& settings) = nullptr;
  // Checks them; also run by a process that only serves the projection. Null: none.
  Status (*check_settings)(const DomainSettings& settings) = nullptr;
  Result<std::unique_ptr<Projection>> (*create)(Store& store, const DomainSettings& settings,
                                                const ProjectionDeps& deps) = nullptr;
  // One customer as the query API shows it: evaluated as of the store's context,
  // merge pointers answered with their survivor. `rapport diff` compares these.
  HttpResponse (*customer)(const ServeContext& context, std::string_view customer_id) = nullptr;
  // Its HTTP endpoints over `context` (which they may copy).
  std::vector<Route> (*routes)(const ServeContext& context) = nullptr;
  // Started beside the live projector; null: none.
  Result<std::vector<std::unique_ptr<SideProcess>>> (*side_processes)(Store& store,
                                                                      const DomainSettings& settings,
                                                                      SideProcessHost& host) = nullptr;
  // Its partition assignment decides which instance answers a customer's queries
  // (scale-out, docs/scaling.md); its `customer` answer is the routed one.
  bool routes_queries = false;
  // Its factory wants ProjectionDeps::model_fits.
  bool uses_model_fits = false;
};

// A factory's typed result as the runtime's Projection.
template <typename T>
Result<std::unique_ptr<Projection>> AsProjection(Result<std::unique_ptr<T>> made) {
  if (!made.ok()) return made.status();
  return std::unique_ptr<Projection>(std::move(made).value());
}

// The `create` of a module whose projection needs only its store and settings
// (`.create = CreateProjection<LoyaltyProjection>`); one with deps writes its own.
template <typename P>
Result<std::unique_ptr<Projection>> CreateProjection(Store& store, const DomainSettings& settings,
                                                     const ProjectionDeps&) {
  return AsProjection(P::Create(store, settings));
}

// Adds a module to the registry beside the built-in ones (tests, out-of-tree
// projections linked as object files). Returns true, so it can initialise a static;
// a second module with a name already registered is an error at start-up (abort).
bool RegisterProjectionModule(const ProjectionModule& module);
// The modules added by RegisterProjectionModule, in registration order.
const std::vector<const ProjectionModule*>& AddedProjectionModules();

// The module's routes answering 503 "<name> projection is not served by this
// process" when `context.store` is null; each answer gets a valid store.
std::vector<Route> ServedRoutes(const ServeContext& context, std::string_view name,
                                std::vector<Route> routes);
HttpResponse NotServed(std::string_view name);

// The answer of a route with query parameters: `parse(params)` first, so a bad
// parameter is a 400 even where no store is served, then `answer(store, query)`, or
// NotServed(name) without a store.
template <typename Parse, typename Answer>
std::function<HttpResponse(const HttpRequest&)> ParsedQueryAnswer(const Store* store, std::string_view name,
                                                                  Parse parse, Answer answer) {
  return [store, name, parse, answer](const HttpRequest& request) {
    auto query = parse(request.params);
    if (!query.ok()) return ErrorResponse(query.status());
    if (!store) return NotServed(name);
    return answer(*store, *query);
  };
}

// One customer of a module's store as JSON (its `customer` answer), for `rapport
// diff`; nullopt when the store has no such customer.
Result<std::optional<nlohmann::json>> DescribeCustomer(const ProjectionModule& module,
                                                       const ServeContext& context,
                                                       std::string_view customer_id);

}  // namespace rapport::projections

// Registers a module defined in the same file (see RegisterProjectionModule).
#define RAPPORT_REGISTER_PROJECTION(module)                        \
  [[maybe_unused]] static const bool rapport_registered_##module = \
      ::rapport::projections::RegisterProjectionModule(module)
