#pragma once

// What the configuration tests share.

namespace paymand::config::test_util {

// The smallest valid paymand.yaml (7 lines: a key added after it is on line 8).
inline constexpr const char* minimal_config = R"(payman:
  base_url: http://127.0.0.1:8080/api
  client_id: pm-test-abc
rules_directory: rules
state_directory: /var/lib/paymand
payees: any
limits: none
)";

}  // namespace paymand::config::test_util
