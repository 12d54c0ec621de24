#pragma once

// OAuth token bookkeeping, free of I/O: which grant to use next, whether the held token may be
// used now, and what a token response changes. The client drives it; tests drive it by hand.

#include "paymand/payman/secret.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace paymand::payman {

enum class grant_type { client_credentials, authorization_code, refresh_token };

std::string_view to_string(grant_type g) noexcept;

// One token request to make: the grant and its parameter (the code or the refresh token).
struct grant {
    grant_type type = grant_type::client_credentials;
    secret value;  // empty for client_credentials
    // authorization_code only: the redirect URI the code was issued to and the PKCE verifier
    // (RFC 7636), sent when set.
    std::optional<std::string> redirect_uri;
    std::optional<secret> code_verifier;
};

// An authorization code with what its exchange must repeat of the authorization request.
struct code_exchange {
    secret code;
    std::optional<std::string> redirect_uri;
    std::optional<secret> code_verifier;
};

// A successful token endpoint answer.
struct token_response {
    secret access_token;
    std::chrono::seconds expires_in{0};
    std::optional<secret> refresh_token;
    std::string token_type;  // "Bearer"
    std::string scope;       // comma-separated, as granted
};

// A token as with_token receives it, and as access_token() reports it.
struct token_info {
    secret access_token;
    std::chrono::seconds expires_in{0};  // remaining lifetime
    std::optional<secret> refresh_token;
};

class token_book {
public:
    using time_point = std::chrono::steady_clock::time_point;

    // `margin`: a token counts as expired this long before it really expires, when a new one
    // can be fetched (Payman's SDKs use 60 s).
    explicit token_book(std::chrono::seconds margin = std::chrono::seconds(60));

    // Sources of new tokens; any combination.
    void allow_client_credentials(bool allowed) { client_credentials_ = allowed; }
    void set_authorization_code(secret code) { code_ = code_exchange{std::move(code), {}, {}}; }
    void set_authorization_code(code_exchange exchange) { code_ = std::move(exchange); }
    // A refresh token held from earlier (a stored grant): the first token comes from it.
    void set_refresh_token(secret refresh) { refresh_ = std::move(refresh); }
    void set_token(token_info token, time_point now);

    // True when the held token may be sent now: before expiry minus the margin, or, when no
    // new token can be had, before its real expiry (better than failing early).
    bool usable(time_point now) const;
    // The grant for the next token request: a pending authorization code first, then the
    // refresh token, then client credentials; none when no source is left.
    std::optional<grant> next_grant() const;
    // Stores a successful answer to `used`: the access token, its expiry, a rotated refresh
    // token (an answer without one keeps the old), and consumes an authorization code.
    void accept(const token_response& answer, grant_type used, time_point now);
    // The server refused `used` (4xx): a refresh token or code is dropped so that the next
    // grant in line is tried; client credentials stay (the caller reports the refusal).
    void refused(grant_type used);
    // A 401 on an ask made with token `generation` proves that token dead; forget it unless
    // it was already replaced by a newer one.
    void invalidate(std::uint64_t generation);

    // True while a token is held and not really expired, margin or not: what a fetch that just
    // succeeded returns may be used for the ask that asked for it, even if it is short-lived.
    bool alive(time_point now) const { return !access_.empty() && now < expires_at_; }
    bool has_token() const { return !access_.empty(); }
    const secret& access_token() const { return access_; }
    // Bumped on every new access token; asks remember it to invalidate the right one.
    std::uint64_t generation() const { return generation_; }
    // Real remaining lifetime (not minus the margin), never negative.
    std::chrono::seconds remaining(time_point now) const;
    const std::optional<secret>& refresh_token() const { return refresh_; }

private:
    std::chrono::seconds margin_;
    bool client_credentials_ = false;
    std::optional<code_exchange> code_;
    std::optional<secret> refresh_;
    secret access_;
    time_point expires_at_{};
    std::uint64_t generation_ = 0;
};

}  // namespace paymand::payman
