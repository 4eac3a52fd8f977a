#include "services/alerts/webhook_target.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <memory>

#include "projections/churn/module.h"

namespace rapport::services {
namespace {

std::vector<std::string> SplitCommas(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (!text.empty() && start <= text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    std::string item = text.substr(start, end - start);
    const size_t first = item.find_first_not_of(' ');
    const size_t last = item.find_last_not_of(' ');
    out.push_back(first == std::string::npos ? "" : item.substr(first, last - first + 1));
    start = end + 1;
  }
  return out;
}

// Loopback, link-local, private (RFC 1918, unique local), unspecified, and the
// shared CGNAT range: none is a place an alert should leave the network for.
bool IsInternal(const sockaddr* address) {
  if (address->sa_family == AF_INET) {
    const uint32_t ip = ntohl(reinterpret_cast<const sockaddr_in*>(address)->sin_addr.s_addr);
    const auto in = [ip](uint32_t net, int bits) { return (ip >> (32 - bits)) == (net >> (32 - bits)); };
    return in(0x7f000000, 8) || in(0x0a000000, 8) || in(0xac100000, 12) || in(0xc0a80000, 16) ||
           in(0xa9fe0000, 16) || in(0x00000000, 8) || in(0x64400000, 10);
  }
  if (address->sa_family == AF_INET6) {
    const in6_addr& ip = reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr;
    if (IN6_IS_ADDR_LOOPBACK(&ip) || IN6_IS_ADDR_UNSPECIFIED(&ip) || IN6_IS_ADDR_LINKLOCAL(&ip)) return true;
    if ((ip.s6_addr[0] & 0xfe) == 0xfc) return true;  // fc00::/7, unique local
    if (IN6_IS_ADDR_V4MAPPED(&ip)) {
      sockaddr_in v4{};
      v4.sin_family = AF_INET;
      std::memcpy(&v4.sin_addr, ip.s6_addr + 12, 4);
      return IsInternal(reinterpret_cast<const sockaddr*>(&v4));
    }
    return false;
  }
  return true;  // an address family we cannot judge: refused
}

std::string AddressText(const sockaddr* address) {
  char text[INET6_ADDRSTRLEN] = {};
  const void* raw = address->sa_family == AF_INET
                        ? static_cast<const void*>(&reinterpret_cast<const sockaddr_in*>(address)->sin_addr)
                        : static_cast<const void*>(&reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr);
  inet_ntop(address->sa_family, raw, text, sizeof(text));
  return text;
}

}  // namespace

Result<std::vector<WebhookUrl>> ParseWebhookUrls(const std::string& text) {
  std::vector<WebhookUrl> out;
  for (const std::string& item : SplitCommas(text)) {
    WebhookUrl url;
    url.text = item;
    std::string rest;
    if (item.rfind("https://", 0) == 0) {
      url.https = true;
      url.port = 443;
      rest = item.substr(8);
    } else if (item.rfind("http://", 0) == 0) {
      rest = item.substr(7);
    } else {
      return Status::InvalidArgument(projections::kChurnWebhookUrlsSetting,
                                     "\"" + item + "\" must start with https:// or http://");
    }
    const size_t slash = rest.find('/');
    if (slash != std::string::npos) {
      url.path = rest.substr(slash);
      rest = rest.substr(0, slash);
    }
    const size_t colon = rest.rfind(':');
    url.host = rest.substr(0, colon);
    if (colon != std::string::npos) {
      const std::string port = rest.substr(colon + 1);
      auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), url.port);
      if (ec != std::errc() || p != port.data() + port.size() || url.port < 1 || url.port > 65535) {
        return Status::InvalidArgument(projections::kChurnWebhookUrlsSetting, "\"" + item + "\": bad port");
      }
    }
    if (url.host.size() > 2 && url.host.front() == '[' && url.host.back() == ']') {
      url.host = url.host.substr(1, url.host.size() - 2);  // an IPv6 literal
    }
    if (url.host.empty())
      return Status::InvalidArgument(projections::kChurnWebhookUrlsSetting, "\"" + item + "\": no host");
    out.push_back(std::move(url));
  }
  return out;
}

Status CheckWebhookHost(const std::string& host, const std::string& allow_hosts) {
  const auto allowed = SplitCommas(allow_hosts);
  const auto listed = [&](const std::string& name) {
    return std::find(allowed.begin(), allowed.end(), name) != allowed.end();
  };
  if (listed(host)) return Status::Ok();
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (const int err = getaddrinfo(host.c_str(), nullptr, &hints, &found); err != 0) {
    return Status::Unavailable("webhook host " + host + " does not resolve: " + gai_strerror(err));
  }
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> owned(found, freeaddrinfo);
  for (const addrinfo* a = found; a != nullptr; a = a->ai_next) {
    const std::string address = AddressText(a->ai_addr);
    if (IsInternal(a->ai_addr) && !listed(address)) {
      return Status::InvalidArgument(projections::kChurnWebhookUrlsSetting,
                                     "host " + host + " resolves to " + address +
                                         " (loopback, link-local or private): refused unless listed in " +
                                         projections::kChurnWebhookAllowHostsSetting);
    }
  }
  return Status::Ok();
}

Result<std::vector<WebhookTarget>> ParseWebhookTargets(const projections::ChurnSettings& settings) {
  auto urls = ParseWebhookUrls(settings.webhook_urls);
  if (!urls.ok()) return urls.status();
  const auto secrets = SplitCommas(settings.webhook_secrets);
  if (secrets.size() != urls->size()) {
    return Status::InvalidArgument(projections::kChurnWebhookSecretsSetting,
                                   "needs one secret per URL of " + std::string(projections::kChurnWebhookUrlsSetting) +
                                       " (" + std::to_string(urls->size()) + "), got " +
                                       std::to_string(secrets.size()));
  }
  std::vector<WebhookTarget> out;
  for (size_t i = 0; i < urls->size(); ++i) {
    if (secrets[i].size() < 16) {
      return Status::InvalidArgument(projections::kChurnWebhookSecretsSetting,
                                     "secret " + std::to_string(i + 1) + " must be at least 16 characters");
    }
    Status checked = CheckWebhookHost((*urls)[i].host, settings.webhook_allow_hosts);
    if (checked.code() == StatusCode::kInvalidArgument) return checked;
    out.push_back({std::move((*urls)[i]), secrets[i]});
  }
  return out;
}

}  // namespace rapport::services
