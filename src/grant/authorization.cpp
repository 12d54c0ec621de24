#include "paymand/grant/authorization.hpp"

#include <boost/system/errc.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <boost/url/url_view.hpp>

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <array>

namespace paymand::grant {
namespace {

std::string base64url(const unsigned char* data, std::size_t size)
{
    static constexpr char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    std::size_t i = 0;
    for (; i + 2 < size; i += 3) {
        const unsigned v = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2];
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        out += alphabet[(v >> 6) & 63];
        out += alphabet[v & 63];
    }
    if (i + 1 == size) {
        const unsigned v = data[i] << 16;
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
    } else if (i + 2 == size) {
        const unsigned v = (data[i] << 16) | (data[i + 1] << 8);
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        out += alphabet[(v >> 6) & 63];
    }
    return out;
}

std::string escape(std::string_view value)
{
    return boost::urls::encode(value, boost::urls::unreserved_chars);
}

// Untrusted server text made fit for a terminal and a page: printable ASCII, at most 200 bytes.
std::string sanitize(std::string_view text)
{
    std::string out;
    for (char c : text) {
        if (out.size() >= 200) {
            out += "...";
            break;
        }
        out += (c >= 0x20 && c < 0x7f) ? c : '?';
    }
    return out;
}

class callback_category_impl final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "paymand.callback"; }

    std::string message(int ev) const override
    {
        switch (static_cast<callback_errc>(ev)) {
        case callback_errc::malformed:
            return "the redirect cannot be read";
        case callback_errc::wrong_path:
            return "the redirect goes to another path";
        case callback_errc::state_mismatch:
            return "the redirect's state is not ours";
        case callback_errc::access_denied:
            return "the person denied access";
        case callback_errc::invalid_scope:
            return "the server refused the scopes";
        case callback_errc::server_error:
            return "the server refused the authorization";
        case callback_errc::missing_code:
            return "the redirect has no code";
        }
        return "unknown callback error";
    }
};

core::error fail(callback_errc code, std::string message)
{
    return {make_error_code(code), 0, std::move(message)};
}

}  // namespace

const boost::system::error_category& callback_category() noexcept
{
    static const callback_category_impl instance;
    return instance;
}

boost::system::error_code make_error_code(callback_errc e) noexcept
{
    return {static_cast<int>(e), callback_category()};
}

std::string consent_url(const authorization_request& r)
{
    std::string scope;
    for (const auto& s : r.scopes) {
        if (!scope.empty()) scope += ',';
        scope += s;
    }
    std::string url = r.authorize_url;
    url += r.authorize_url.find('?') == std::string::npos ? '?' : '&';
    url += fmt::format("response_type=code&client_id={}&redirect_uri={}&scope={}&state={}",
                       escape(r.client_id), escape(r.redirect_uri), escape(scope), escape(r.state));
    if (r.code_challenge)
        url +=
            fmt::format("&code_challenge={}&code_challenge_method=S256", escape(*r.code_challenge));
    return url;
}

boost::system::result<std::string> random_token()
{
    std::array<unsigned char, 32> bytes{};
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1)
        return boost::system::error_code(EIO, boost::system::generic_category());
    auto out = base64url(bytes.data(), bytes.size());
    OPENSSL_cleanse(bytes.data(), bytes.size());
    return out;
}

std::string code_challenge_s256(std::string_view verifier)
{
    std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
    SHA256(reinterpret_cast<const unsigned char*>(verifier.data()), verifier.size(), digest.data());
    return base64url(digest.data(), digest.size());
}

core::result<payman::secret> parse_callback(std::string_view target, std::string_view expected_path,
                                            std::string_view expected_state)
{
    auto parsed = target.starts_with('/') ? boost::urls::parse_origin_form(target)
                                          : boost::urls::parse_uri(target);
    if (!parsed)
        return fail(callback_errc::malformed,
                    "the redirect is not a URL (paste the whole address from the browser's "
                    "address bar)");
    const boost::urls::url_view url = *parsed;
    if (url.path() != expected_path)
        return fail(callback_errc::wrong_path, fmt::format("the redirect goes to path {}, not {}",
                                                           sanitize(url.path()), expected_path));
    std::optional<std::string> state, code, error, description;
    bool repeated = false;
    for (auto param : url.params()) {
        std::optional<std::string>* slot = param.key == "state"               ? &state
                                           : param.key == "code"              ? &code
                                           : param.key == "error"             ? &error
                                           : param.key == "error_description" ? &description
                                                                              : nullptr;
        if (slot == nullptr) continue;
        if (*slot) repeated = true;
        *slot = std::string(param.value);
    }
    // Nothing in a redirect is believed before its state matches ours.
    if (!state || repeated || state->size() != expected_state.size() ||
        CRYPTO_memcmp(state->data(), expected_state.data(), expected_state.size()) != 0) {
        if (code) payman::wipe(code->data(), code->size());
        return fail(callback_errc::state_mismatch,
                    "the redirect's state does not match this login's: it is not the answer to "
                    "the consent page this command opened (a forged or stale link); nothing "
                    "was exchanged");
    }
    if (error) {
        if (code) payman::wipe(code->data(), code->size());
        const auto why = description ? fmt::format(": {}", sanitize(*description)) : std::string();
        if (*error == "access_denied")
            return fail(
                callback_errc::access_denied,
                fmt::format("access was denied on the consent page; no grant was made{}", why));
        if (*error == "invalid_scope")
            return fail(callback_errc::invalid_scope,
                        fmt::format("the server refused the scopes asked for (invalid_scope): "
                                    "register them for the application, or ask for fewer with "
                                    "--scopes{}",
                                    why));
        return fail(callback_errc::server_error,
                    fmt::format("the server answered error={}{}", sanitize(*error), why));
    }
    if (!code || code->empty())
        return fail(callback_errc::missing_code,
                    "the redirect carries neither a code nor an error");
    payman::secret out(*code);
    payman::wipe(code->data(), code->size());
    return out;
}

core::result<loopback_uri> parse_loopback_uri(std::string_view uri)
{
    const auto refuse = [](std::string why) {
        return core::error{make_error_code(boost::system::errc::invalid_argument), 0,
                           std::move(why)};
    };
    auto parsed = boost::urls::parse_uri(uri);
    if (!parsed) return refuse("not an absolute URL");
    const boost::urls::url_view url = *parsed;
    if (url.scheme() != "http") return refuse("a loopback redirect URI uses http (RFC 8252 7.3)");
    const std::string host = url.host();
    if (host != "127.0.0.1" && host != "[::1]" && host != "localhost")
        return refuse("the host must be 127.0.0.1, [::1] or localhost: the browser returns to this "
                      "machine");
    if (url.has_query() || url.has_fragment() || url.has_userinfo())
        return refuse("a redirect URI has no query, fragment or user info");
    loopback_uri out{.host = host, .port = 0, .path = std::string(url.path())};
    if (out.path.empty()) out.path.push_back('/');
    if (url.has_port()) {
        const auto n = url.port_number();
        if (n == 0 && url.port() != "0") return refuse("the port is not a number from 0 to 65535");
        out.port = n;
    }
    return out;
}

}  // namespace paymand::grant
