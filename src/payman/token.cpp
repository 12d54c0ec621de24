#include "paymand/payman/token.hpp"

#include "paymand/text/word_table.hpp"

namespace paymand::payman {

namespace {

constexpr auto grant_words = text::make_word_table<grant_type>({
    {grant_type::client_credentials, "client_credentials"},
    {grant_type::authorization_code, "authorization_code"},
    {grant_type::refresh_token, "refresh_token"},
});

}  // namespace

std::string_view to_string(grant_type g) noexcept
{
    return grant_words.word(g, "unknown");
}

token_book::token_book(std::chrono::seconds margin) : margin_(margin) {}

void token_book::set_token(token_info token, time_point now)
{
    access_ = std::move(token.access_token);
    expires_at_ = now + token.expires_in;
    if (token.refresh_token && !token.refresh_token->empty())
        refresh_ = std::move(token.refresh_token);
    ++generation_;
}

bool token_book::usable(time_point now) const
{
    if (access_.empty()) return false;
    if (next_grant()) return now < expires_at_ - margin_;
    return now < expires_at_;
}

std::optional<grant> token_book::next_grant() const
{
    if (code_)
        return grant{grant_type::authorization_code, code_->code, code_->redirect_uri,
                     code_->code_verifier};
    if (refresh_) return grant{grant_type::refresh_token, *refresh_, {}, {}};
    if (client_credentials_) return grant{grant_type::client_credentials, {}, {}, {}};
    return std::nullopt;
}

void token_book::accept(const token_response& answer, grant_type used, time_point now)
{
    if (used == grant_type::authorization_code) code_.reset();
    access_ = answer.access_token;
    expires_at_ = now + answer.expires_in;
    if (answer.refresh_token && !answer.refresh_token->empty()) refresh_ = *answer.refresh_token;
    ++generation_;
}

void token_book::refused(grant_type used)
{
    if (used == grant_type::authorization_code) code_.reset();
    if (used == grant_type::refresh_token) refresh_.reset();
}

void token_book::invalidate(std::uint64_t generation)
{
    if (generation != generation_) return;
    access_.clear();
    expires_at_ = {};
}

std::chrono::seconds token_book::remaining(time_point now) const
{
    if (access_.empty() || now >= expires_at_) return std::chrono::seconds(0);
    return std::chrono::duration_cast<std::chrono::seconds>(expires_at_ - now);
}

}  // namespace paymand::payman
