#include "services/access/access_gate.h"

#include <algorithm>

#include "services/access/route_roles.h"

namespace rapport::services {

HttpResponse AccessRefusal(int status, std::string_view error, const std::string& reason, std::optional<Role> role) {
  nlohmann::json body = {{"error", error},
                         {"reason", reason},
                         {"role", role ? nlohmann::json(std::string(RoleName(*role))) : nlohmann::json(nullptr)}};
  HttpResponse response = JsonResponse(status, body);
  if (status == 401) response.headers.emplace_back("WWW-Authenticate", "Bearer");
  return response;
}

AccessGate::AccessGate(const CredentialStore& store, const AccessSettings& settings)
    : store_(store), limiter_(settings) {}

GateVerdict AccessGate::Admit(std::string_view method, std::string_view path,
                              const projections::HeaderLookup& header) const {
  const RouteRule* rule = RuleFor(method, path);
  if (rule && !rule->role) return {};  // open
  const std::optional<Role> needed = rule ? rule->role : std::nullopt;
  Authentication auth = store_.Authenticate(header("Authorization"));
  if (!auth.caller) return {AccessRefusal(401, "unauthenticated", auth.reason, needed), ""};
  const Credential& caller = *auth.caller;
  if (!rule) {
    return {AccessRefusal(403, "forbidden",
                          std::string(method) + " " + std::string(path) + " is in no line of the route table",
                          std::nullopt),
            caller.name};
  }
  if (!caller.roles.Has(*needed)) {
    return {AccessRefusal(403, "forbidden",
                          "the credential \"" + caller.name + "\" lacks the role " + std::string(RoleName(*needed)),
                          needed),
            caller.name};
  }
  if (auto wait = limiter_.Take(caller.name, *needed)) {
    const int64_t seconds = std::max<int64_t>(1, (wait->count() + 999) / 1000);
    HttpResponse refusal = AccessRefusal(
        429, "rate_limited",
        "the credential \"" + caller.name + "\" exceeded its " + std::string(RoleName(*needed)) + " rate limit",
        needed);
    refusal.headers.emplace_back("Retry-After", std::to_string(seconds));
    return {std::move(refusal), caller.name};
  }
  return {std::nullopt, caller.name};
}

}  // namespace rapport::services
