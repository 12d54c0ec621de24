#pragma once

// The rule files and paymand.yaml that the systemd tests run the daemon with: one place for
// the configuration they share, each test naming only what it is about (where the client
// secret comes from, the log format, its rules).

#include "support/process.hpp"
#include "support/sandbox.hpp"

#include <string>
#include <string_view>

namespace paymand::test {

// The environment variable the daemon's client secret comes from (`{env: ...}`).
inline const std::string secret_env = "PAYMAND_TEST_CLIENT_SECRET";

// A monthly payment that is never due while a test runs.
inline constexpr std::string_view monthly_rent_rule = R"(  - id: rent
    schedule: monthly on day 1 at 09:00
    pay: {payee: John Doe, amount: 10.00}
)";

// Writes rules/rent.yaml (`rules`, YAML list items) and paymand.yaml against `sandbox`, whose
// client secret comes from `secret_source` (a flow mapping: "{env: NAME}", "{credential: ID}").
inline void write_daemon_files(const temp_dir& dir, const sandbox_process& sandbox,
                               std::string_view secret_source, std::string_view log_format,
                               std::string_view rules = monthly_rent_rule)
{
    dir.write("rules/rent.yaml", "rules:\n" + std::string(rules));
    dir.write("paymand.yaml", "payman:\n  base_url: " + sandbox.base_url() +
                                  "\n  client_id: " + std::string(sandbox_client_id) +
                                  "\n  client_secret: " + std::string(secret_source) +
                                  "\nrules_directory: rules\nstate_directory: state\n"
                                  "payees: any\nlimits: none\nlog: {format: " +
                                  std::string(log_format) + "}\n");
}

}  // namespace paymand::test
