#include "paymand/audit/file_audit_store.hpp"
#include "paymand/audit/projection.hpp"
#include "paymand/audit/resolution.hpp"
#include "paymand/config/daemon_config.hpp"
#include "paymand/daemon/daemon.hpp"

#include <cstdlib>
#include <iostream>

namespace paymand::daemon {

int resolve(const std::filesystem::path& config_path, const std::string& occurrence, bool paid,
            const std::string& note)
{
    yaml::diagnostics diags;
    auto cfg = config::load_daemon_config(
        config_path, [](const char* name) { return std::getenv(name); }, diags);
    if (!cfg) {
        std::cerr << diags.to_string();
        return run_config_error;
    }
    audit::file_audit_store store({.log_path = cfg->audit_log, .lock_path = cfg->lock_path()});
    if (auto locked = store.lock(); !locked) {
        std::cerr << "paymand audit resolve: " << locked.error().message << "\n";
        if (locked.error().code == audit::audit_errc::locked) {
            std::cerr << "paymand audit resolve: stop the daemon first (systemctl stop paymand), "
                         "resolve, then start it again\n";
            return run_locked;
        }
        return run_cant_create;
    }
    audit::audit_projection projection;
    auto replay = store.replay(projection);
    if (!replay) {
        std::cerr << "paymand audit resolve: " << replay.error().message << "\n";
        return run_cant_create;
    }
    if (replay->corruption) {
        std::cerr << "paymand audit resolve: " << store.describe()
                  << " is corrupt: " << replay->corruption->message << "\n";
        return run_data_error;
    }
    auto written = audit::append_resolution(
        store, projection,
        {.occurrence = occurrence,
         .verdict = paid ? audit::resolution::paid : audit::resolution::not_paid,
         .note = note});
    if (!written) {
        std::cerr << "paymand audit resolve: " << written.error().message << "\n";
        return run_config_error;
    }
    std::cout << "resolved " << occurrence << " as " << (paid ? "paid" : "not paid")
              << " (audit record " << written->seq << ")\n";
    return run_ok;
}

}  // namespace paymand::daemon
