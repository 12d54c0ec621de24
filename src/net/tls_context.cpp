#include "paymand/net/tls_context.hpp"

#include "paymand/net/net_errc.hpp"

#include <openssl/ssl.h>

namespace paymand::net {

namespace ssl = boost::asio::ssl;

boost::system::result<std::shared_ptr<ssl::context>>
make_tls_context(const std::optional<std::filesystem::path>& ca_file)
{
    auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
    if (SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION) != 1)
        return net_errc::tls_setup_failed;
    ctx->set_options(ssl::context::default_workarounds | ssl::context::no_compression);
    boost::system::error_code ec;
    if (ca_file) {
        ctx->load_verify_file(ca_file->string(), ec);
        if (ec) return net_errc::ca_file_unreadable;
    } else {
        ctx->set_default_verify_paths(ec);
        if (ec) return net_errc::tls_setup_failed;
    }
    ctx->set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert, ec);
    if (ec) return net_errc::tls_setup_failed;
    return ctx;
}

}  // namespace paymand::net
