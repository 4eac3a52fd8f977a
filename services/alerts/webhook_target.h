#pragma once
// Where a webhook delivers and how it signs (issue 16, "TLS"): the URL (https://
// with certificate verification, or http://), the secret every delivery is signed
// with, and the address rule: a target that resolves to a loopback, link-local or
// private address is refused unless its host is in the allowlist, so a webhook
// cannot be aimed at the service's own network. Settings (docs/domain.md):
//   domain.churn.webhooks.urls         comma-separated URLs
//   domain.churn.webhooks.secrets      comma-separated, one per URL, in order
//   domain.churn.webhooks.allow_hosts  hosts or IPs allowed on those ranges
//   domain.churn.webhooks.ca_file      PEM CA bundle for https (default: the system's)
// Every error names the setting at fault.

#include <string>
#include <vector>

#include "events/status.h"
#include "projections/domain/churn_settings.h"

namespace rapport::services {

// "http(s)://host:port/path" -> parts.
struct WebhookUrl {
  std::string text;
  bool https = false;
  std::string host;
  int port = 80;  // 443 for https
  std::string path = "/";
};
// Errors name domain.churn.webhooks.urls.
Result<std::vector<WebhookUrl>> ParseWebhookUrls(const std::string& comma_separated);

struct WebhookTarget {
  WebhookUrl url;
  std::string secret;
};

// Every configured webhook with its secret, each host checked against the address
// rule now (a host that does not resolve yet is checked at each delivery).
Result<std::vector<WebhookTarget>> ParseWebhookTargets(const projections::ChurnSettings& settings);

// OK when `host` may be reached: it is allowed (`allow_hosts`, comma-separated, by
// name or address), or none of its addresses is loopback, link-local, private or
// unspecified. InvalidArgument names domain.churn.webhooks.urls and the address;
// Unavailable when the host does not resolve.
Status CheckWebhookHost(const std::string& host, const std::string& allow_hosts);

}  // namespace rapport::services
