#include "paymand/daemon/user_grant.hpp"

#include "paymand/audit/time_format.hpp"

#include <fmt/format.h>

namespace paymand::daemon {
namespace {

grant::utc_seconds seconds_of(std::chrono::system_clock::time_point t)
{
    return std::chrono::floor<std::chrono::seconds>(t);
}

class guarded_agent final : public engine::agent {
public:
    guarded_agent(std::shared_ptr<engine::agent> inner, std::shared_ptr<const user_grant> grant,
                  std::shared_ptr<spdlog::logger> log)
        : inner_(std::move(inner)), grant_(std::move(grant)), log_(std::move(log))
    {
    }

    boost::asio::awaitable<engine::ask_outcome> async_ask(std::string text,
                                                          payman::ask_options options) override
    {
        if (grant_->refused()) {
            log_->error("{} (nothing was sent)", grant_invalid_line);
            co_return core::extend(
                {.code = payman::payman_errc::grant_refused,
                 .message = std::string(grant_invalid_line) + "; nothing was sent"},
                payman::client_error{.kind = payman::error_class::not_sent});
        }
        co_return co_await inner_->async_ask(std::move(text), std::move(options));
    }

private:
    std::shared_ptr<engine::agent> inner_;
    std::shared_ptr<const user_grant> grant_;
    std::shared_ptr<spdlog::logger> log_;
};

}  // namespace

user_grant::user_grant(std::filesystem::path file, grant::stored_grant held,
                       std::shared_ptr<spdlog::logger> log,
                       std::shared_ptr<const core::clock> clock)
    : file_(std::move(file)), held_(std::move(held)), log_(std::move(log)),
      clock_(std::move(clock)), refused_(held_.refused_at.has_value())
{
}

payman::grant_observer user_grant::observer()
{
    auto self = shared_from_this();
    return {.on_refresh_token = [self](const payman::token_response& answer,
                                       payman::grant_type) { return self->store_rotation(answer); },
            .on_refused = [self](const payman::client_error& e) { self->mark_refused(e); }};
}

void user_grant::set_recorder(recorder r)
{
    recorder_ = std::move(r);
    for (auto& body : pending_) recorder_(std::move(body));
    pending_.clear();
}

std::shared_ptr<engine::agent> user_grant::guard(std::shared_ptr<engine::agent> inner)
{
    return std::make_shared<guarded_agent>(std::move(inner), shared_from_this(), log_);
}

boost::system::result<void, std::string>
user_grant::store_rotation(const payman::token_response& answer)
{
    const auto now = seconds_of(clock_->wall_now());
    auto next = grant::rotated(held_, *answer.refresh_token, answer.scope, answer.expires_in, now);
    if (auto saved = grant::save_grant(file_, next); !saved) {
        log_->error("the rotated refresh token could not be stored, so its access token is not "
                    "used (asks fail unsent until it can be): {}",
                    saved.error().message);
        // Held in memory by the client all the same: the next fetch sends it, not the spent one.
        return saved.error().message;
    }
    held_ = std::move(next);
    log_->info("the user's grant was renewed (rotation {}): new refresh token stored in {}, "
               "access token valid until {}",
               held_.rotations, file_.string(), audit::format_utc(*held_.access_expires));
    record(audit::grant_record{.event = audit::grant_event::rotated,
                               .client_id = held_.client_id,
                               .scopes = grant::join_scopes(held_.scopes),
                               .access_expires = held_.access_expires,
                               .rotation = held_.rotations,
                               .reason = std::nullopt});
    return {};
}

void user_grant::mark_refused(const payman::client_error& e)
{
    if (refused_) return;
    refused_ = true;
    const auto reason = audit::make_excerpt(e.what(), 512);
    held_ = grant::refused(std::move(held_), reason, seconds_of(clock_->wall_now()));
    log_->error("{} ({})", grant_invalid_line, reason);
    if (auto saved = grant::save_grant(file_, held_); !saved)
        log_->error("the grant's refusal could not be noted in {}: {}", file_.string(),
                    saved.error().message);
    record(audit::grant_record{.event = audit::grant_event::refused,
                               .client_id = held_.client_id,
                               .scopes = grant::join_scopes(held_.scopes),
                               .access_expires = std::nullopt,
                               .rotation = held_.rotations,
                               .reason = reason});
}

void user_grant::record(audit::record_body body)
{
    if (recorder_)
        recorder_(std::move(body));
    else
        pending_.push_back(std::move(body));
}

}  // namespace paymand::daemon
