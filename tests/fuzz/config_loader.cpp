// Fuzzes the daemon configuration loader (config/paymand.yaml) with no environment variable
// set. Promise: a configuration or errors, never both and never neither; nothing is read
// from disk while parsing.

#include "fuzz_support.hpp"
#include "paymand/config/daemon_config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace paymand;
    yaml::diagnostics diags;
    auto cfg = config::parse_daemon_config(fuzz::as_text(data, size), "paymand.yaml",
                                           "/etc/paymand", fuzz::empty_environment(), diags);
    fuzz::require(cfg.has_value() == diags.empty(), "a load yields a configuration xor errors");
    if (!cfg) return 0;
    fuzz::require(cfg->policy.zone != nullptr, "a loaded policy has its zone resolved");
    fuzz::require(!cfg->state_directory.empty(), "a loaded configuration has a state directory");
    fuzz::require(cfg->audit_log.is_absolute(), "the audit log path is resolved");
    return 0;
}
