#pragma once

// Small helpers shared by the libFuzzer targets: a check that aborts with a message (so that
// libFuzzer records the input as a crash), and the fixed inputs targets need (a policy, a fake
// environment), built without reading any file.

#include "paymand/config/daemon_config.hpp"
#include "paymand/rules/policy.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace paymand::fuzz {

// A broken promise of the code under test: print it and abort (libFuzzer saves the input).
[[noreturn]] inline void broken(const char* what)
{
    std::fprintf(stderr, "fuzz: broken promise: %s\n", what);
    std::abort();
}

inline void require(bool ok, const char* what)
{
    if (!ok) broken(what);
}

inline std::string_view as_text(const std::uint8_t* data, std::size_t size)
{
    return {reinterpret_cast<const char*>(data), size};
}

// No environment variable is set: configurations must name everything themselves.
inline const config::env_lookup& empty_environment()
{
    static const config::env_lookup lookup = [](const char*) -> const char* { return nullptr; };
    return lookup;
}

// The example policy of tests/fixtures/rules/policy.yaml (allow-list, per-payee and currency
// limits, Europe/Berlin, 1h minimum interval), parsed once through the config loader from an
// embedded copy, so that the targets read no file.
inline const rules::policy& example_policy()
{
    static const rules::policy pol = [] {
        constexpr std::string_view text = R"(payman:
  base_url: http://127.0.0.1:8080/api
  client_id: pm-fuzz
rules_directory: rules
state_directory: /var/lib/paymand
timezone: Europe/Berlin
min_pay_interval: 1h
payees:
  - John Doe
  - name: Maria Garcia
    limits:
      TSD: {daily: 800.00, monthly: 2500.00}
  - name: Acme Cleaning Ltd.
    limits:
      TSD: {monthly: 400.00}
limits:
  max_payments_per_day: 20
  currencies:
    TSD: {per_transaction: 1500.00, daily: 2000.00, monthly: 6000.00,
          payee_daily: 1500.00, payee_monthly: 3000.00}
    USD: {per_transaction: 500.00, daily: 500.00, monthly: 1000.00}
)";
        yaml::diagnostics diags;
        auto cfg = config::parse_daemon_config(text, "policy.yaml", "/etc/paymand",
                                               empty_environment(), diags);
        if (!cfg) {
            std::fprintf(stderr, "fuzz: the embedded policy does not load:\n%s",
                         diags.to_string().c_str());
            std::abort();
        }
        return cfg->policy;
    }();
    return pol;
}

}  // namespace paymand::fuzz
