// Fuzzes payman-sandbox's request handling (service::handle_bytes) without sockets. An input is
// up to 8 raw HTTP requests separated by the line "#NEXT#"; a request starting with "ADMIN "
// goes to the admin API (the prefix removed). "@TOKEN@" in a request is replaced by the last
// access token the service issued in this input, so that seeds reach tasks.send although
// tokens are random. Every input runs on a fresh in-memory service (no state file) with a
// fixed clock, so runs do not depend on each other. Promise: every request gets a complete
// HTTP/1.1 response.

#include "fuzz_support.hpp"
#include "sandbox/service.hpp"

#include <memory>
#include <string>

namespace {

using namespace paymand;

const sandbox::sandbox_config& fuzz_config()
{
    static const sandbox::sandbox_config config = [] {
        auto r = sandbox::parse_config(R"(seed: 1
clients:
  - id: pm-fuzz
    secret: fuzz-secret
    scopes: read_balance,read_list_wallets,read_list_payees,read_list_transactions,write_create_payee,write_send_payment,write_create_wallet
    token_lifetime: 3600
    per_transaction_limit: "500.00"
    redirect_uris: [http://127.0.0.1:9/callback]
  - id: pm-fuzz-readonly
    secret: ro
    scopes: [read_balance]
    scope_denial: http
  - id: pm-fuzz-snake
    secret: sn
    refresh_with_client_credentials: true
    token_fields: snake
default_wallet: Operations
wallets:
  - name: Operations
    currency: TSD
    balance: "1000.00"
  - name: Payroll
    currency: TSD
    balance: "5000.00"
payees:
  - name: John Doe
    email: john.doe@example.com
  - name: Acme Landlord LLC
    email: rent@acme-landlord.example
)",
                                       "fuzz-sandbox.yaml");
        if (!r.config) fuzz::broken("the embedded sandbox configuration does not load");
        return *r.config;
    }();
    return config;
}

// The access token in a token response body ("pmat_" + hex), if any.
std::string token_in(std::string_view response)
{
    auto at = response.find("\"pmat_");
    if (at == std::string_view::npos) return {};
    auto end = response.find('"', at + 1);
    if (end == std::string_view::npos) return {};
    return std::string(response.substr(at + 1, end - at - 1));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    constexpr std::string_view separator = "\n#NEXT#\n";
    const auto t0 = sandbox::time_point(std::chrono::milliseconds(1'796'112'000'000));
    sandbox::service service(fuzz_config(), std::nullopt, [t0] { return t0; });
    fuzz::require(service.startup().has_value(), "an in-memory service starts");

    std::string_view input = fuzz::as_text(data, size);
    std::string token;
    for (int n = 0; n < 8 && !input.empty(); ++n) {
        auto cut = input.find(separator);
        std::string raw(input.substr(0, cut));
        input = cut == std::string_view::npos ? std::string_view{}
                                              : input.substr(cut + separator.size());
        bool admin = raw.starts_with("ADMIN ");
        if (admin) raw.erase(0, 6);
        for (auto at = raw.find("@TOKEN@"); at != std::string::npos;
             at = raw.find("@TOKEN@", at + token.size()))
            raw.replace(at, 7, token);

        std::string response = service.handle_bytes(raw, admin);
        fuzz::require(response.starts_with("HTTP/1.1 "), "every request gets an HTTP response");
        fuzz::require(response.find("\r\n\r\n") != std::string::npos,
                      "a response has a complete header");
        if (auto t = token_in(response); !t.empty()) token = std::move(t);
    }
    return 0;
}
