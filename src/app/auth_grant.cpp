#include "app/auth_grant.hpp"

#include "paymand/audit/projection.hpp"
#include "paymand/audit/state_file.hpp"
#include "paymand/audit/time_format.hpp"
#include "paymand/daemon/user_grant.hpp"
#include "paymand/grant/stored_grant.hpp"

#include <fmt/format.h>

#include <iostream>

namespace paymand::app {

std::optional<daemon::loaded> load_for_auth(const std::string& config_path)
{
    yaml::diagnostics diags;
    auto loaded = daemon::load_configuration(config_path, diags);
    if (!loaded) std::cerr << diags.to_string();
    return loaded;
}

std::vector<std::string> scopes_to_ask(const daemon::loaded& loaded, const std::string& given)
{
    if (!given.empty()) return grant::split_scopes(given);
    std::vector<std::string> out;
    for (const auto& need : inspect::required_scopes(*loaded.rules)) out.push_back(need.scope);
    return out;
}

std::unique_ptr<audit::file_audit_store> lock_state(const config::daemon_config& cfg,
                                                    std::string_view prefix, int& exit)
{
    if (auto made = audit::make_state_directory(cfg.state_directory, true); !made) {
        std::cerr << prefix << ": error: " << made.error().message << "\n";
        exit = exit_cant_create;
        return nullptr;
    }
    auto store = std::make_unique<audit::file_audit_store>(
        audit::file_store_params{.log_path = cfg.audit_log, .lock_path = cfg.lock_path()});
    if (auto locked = store->lock(); !locked) {
        if (locked.error().code == audit::audit_errc::locked) {
            std::cerr << prefix << ": error: " << locked.error().message
                      << "\n  the running daemon holds the user's grant and rotates its refresh "
                         "token; stop it first (systemctl stop paymand), then run this again and "
                         "start it\n";
            exit = exit_locked;
        } else {
            std::cerr << prefix << ": error: " << locked.error().message << "\n";
            exit = exit_cant_create;
        }
        return nullptr;
    }
    audit::audit_projection projection;
    auto replay = store->replay(projection);
    if (!replay || replay->corruption) {
        std::cerr << prefix << ": error: "
                  << (replay ? store->describe() + " is corrupt: " + replay->corruption->message
                             : replay.error().message)
                  << "\n";
        exit = replay ? 65 : exit_cant_create;
        return nullptr;
    }
    return store;
}

std::optional<std::string> grant_summary(const config::daemon_config& cfg)
{
    if (cfg.grant.mode != config::grant_mode::authorization_code) return std::nullopt;
    auto held = grant::load_grant(cfg.grant_path());
    if (!held) return "CRITICAL: the user's grant cannot be read: " + held.error().message;
    if (!*held)
        return fmt::format("CRITICAL: no grant is stored in {}: the daemon cannot pay; run "
                           "paymand auth login",
                           cfg.grant_path().string());
    const auto& g = **held;
    if (g.refused_at)
        return fmt::format("CRITICAL: {} (refused at {})", daemon::grant_invalid_line,
                           audit::format_utc(*g.refused_at));
    return fmt::format("grant: valid (client {}, scopes {}, refresh token issued {}; `paymand "
                       "auth status` for more)",
                       g.client_id, grant::join_scopes(g.scopes),
                       audit::format_utc(g.refresh_issued_at));
}

bool append_record(audit::file_audit_store& store, audit::record_body body, std::string_view prefix)
{
    auto written = store.append(std::span(&body, 1));
    if (!written) {
        std::cerr << prefix << ": error: " << written.error().message << "\n";
        return false;
    }
    return true;
}

}  // namespace paymand::app
