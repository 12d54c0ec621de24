#pragma once

// A person's grant held by the daemon (payman.grant: authorization_code): it stores every
// rotated refresh token before its access token is used, records each rotation in the audit
// log (never a token), and once the server refuses the refresh token it turns the daemon into
// the "grant no longer valid" state: an error-priority line that says to run `paymand auth
// login`, a critical status, and no ask sent (asks fail not_sent/grant_refused at once).

#include "paymand/audit/record.hpp"
#include "paymand/core/clock.hpp"
#include "paymand/engine/agent.hpp"
#include "paymand/grant/stored_grant.hpp"
#include "paymand/payman/client_config.hpp"

#include <spdlog/logger.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

namespace paymand::daemon {

// The line the journal gets at error priority when the grant is refused.
inline constexpr std::string_view grant_invalid_line =
    "the user's grant is no longer valid: run paymand auth login";

class user_grant : public std::enable_shared_from_this<user_grant> {
public:
    using recorder = std::function<void(audit::record_body)>;

    user_grant(std::filesystem::path file, grant::stored_grant held,
               std::shared_ptr<spdlog::logger> log, std::shared_ptr<const core::clock> clock);

    // The hooks a payman::client calls (client_config::grant_events); they keep this alive.
    payman::grant_observer observer();

    // Where audit records go (the engine's writer); records made before it is set are kept
    // and handed over when it is.
    void set_recorder(recorder r);

    // Wraps the client's agent: once the grant is refused, asks fail at once, unsent.
    std::shared_ptr<engine::agent> guard(std::shared_ptr<engine::agent> inner);

    bool refused() const { return refused_; }
    const grant::stored_grant& held() const { return held_; }

private:
    boost::system::result<void, std::string> store_rotation(const payman::token_response& answer);
    void mark_refused(const payman::client_error& e);
    void record(audit::record_body body);

    std::filesystem::path file_;
    grant::stored_grant held_;
    std::shared_ptr<spdlog::logger> log_;
    std::shared_ptr<const core::clock> clock_;
    recorder recorder_;
    std::vector<audit::record_body> pending_;
    bool refused_ = false;
};

}  // namespace paymand::daemon
