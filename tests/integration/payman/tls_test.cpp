// HTTPS with a CA made at test time: verified, SNI and host name checked, never downgraded.

#include "client_fixture.hpp"
#include "support/tls.hpp"

namespace paymand::test {
namespace {

using payman::error_class;
using payman::payman_errc;

class tls : public client_test {
protected:
    tls() : files(make_tls_files(dir.path())) {}

    payman::client_config tls_config(const sandbox_process& sb)
    {
        auto config = config_for(sb);
        config.http.ca_file = files.ca_cert;
        return config;
    }

    // Asks "list all payees" of a sandbox serving `cert`, by the host name localhost.
    ask_outcome ask_localhost(const std::filesystem::path& cert, const std::filesystem::path& key)
    {
        sandbox_process sb(params_with([&](sandbox_params& p) {
            p.cert_file = cert;
            p.key_file = key;
        }));
        auto config = tls_config(sb);
        auto url = sb.base_url();
        config.base_url = "https://localhost" + url.substr(url.find(':', 8));
        auto c = credentials_client(sb, config);
        auto r = ask(c, "list all payees");
        tokens_requested = stat(sb, "requests.token");
        return r;
    }
    std::int64_t tokens_requested = 0;

    temp_dir dir;
    tls_files files;
};

TEST_F(tls, asks_over_https_with_the_test_ca)
{
    sandbox_process sb(params_with([&](sandbox_params& p) {
        p.cert_file = files.server_cert;
        p.key_file = files.server_key;
    }));
    ASSERT_EQ(sb.base_url().substr(0, 8), "https://");
    auto c = credentials_client(sb, tls_config(sb));
    for (int i = 0; i < 3; ++i) {
        auto r = ask(c, "list all wallets and their balances");
        ASSERT_TRUE(r) << r.error().what();
        EXPECT_EQ(r->state, payman::task_state::completed);
    }
    EXPECT_EQ(stat(sb, "connections"), 1);  // TLS sessions are kept alive too
}

TEST_F(tls, verifies_a_host_name_with_sni)
{
    auto r = ask_localhost(files.server_cert, files.server_key);
    ASSERT_TRUE(r) << r.error().what();
}

TEST_F(tls, refuses_a_certificate_for_another_host)
{
    sandbox_process sb(params_with([&](sandbox_params& p) {
        p.cert_file = files.wrong_host_cert;
        p.key_file = files.wrong_host_key;
    }));
    auto c = credentials_client(sb, tls_config(sb));
    auto r = ask(c, "list all payees");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, error_class::not_sent);
    EXPECT_EQ(r.error().code, payman_errc::tls_failed);
    EXPECT_NE(r.error().message.find("mismatch"), std::string::npos) << r.error().message;
    EXPECT_EQ(stat(sb, "requests.token"), 0);
}

// Issue 16, item 13: a certificate with CN=localhost and no subjectAltName used to be matched on
// its CN.
TEST_F(tls, refuses_a_certificate_without_a_subject_alt_name)
{
    auto r = ask_localhost(files.cn_only_cert, files.cn_only_key);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, error_class::not_sent);
    EXPECT_EQ(r.error().code, payman_errc::tls_failed);
    EXPECT_NE(r.error().message.find("mismatch"), std::string::npos) << r.error().message;
    EXPECT_EQ(tokens_requested, 0);
}

TEST_F(tls, refuses_a_certificate_from_an_unknown_ca)
{
    sandbox_process sb(params_with([&](sandbox_params& p) {
        p.cert_file = files.unknown_ca_server_cert;
        p.key_file = files.unknown_ca_server_key;
    }));
    auto c = credentials_client(sb, tls_config(sb));
    auto r = ask(c, "list all payees");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, error_class::not_sent);
    EXPECT_EQ(r.error().code, payman_errc::tls_failed);
    EXPECT_EQ(stat(sb, "requests.token"), 0);
}

TEST_F(tls, refuses_the_test_ca_when_only_the_system_store_is_trusted)
{
    sandbox_process sb(params_with([&](sandbox_params& p) {
        p.cert_file = files.server_cert;
        p.key_file = files.server_key;
    }));
    auto c = credentials_client(sb, config_for(sb));
    auto r = ask(c, "list all payees");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, payman_errc::tls_failed);
}

TEST_F(tls, a_huge_body_over_tls_is_refused_by_the_cap)
{
    sandbox_process sb(params_with([&](sandbox_params& p) {
        p.cert_file = files.server_cert;
        p.key_file = files.server_key;
    }));
    auto c = credentials_client(sb, tls_config(sb));
    ASSERT_TRUE(ask(c, "list all payees"));
    sb.inject_fault(boost::json::value{
        {"endpoint", "tasks"}, {"action", "huge_body"}, {"size", 10 * 1024 * 1024}});
    auto r = ask(c, "list all payees");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, payman_errc::response_too_large);
}

}  // namespace
}  // namespace paymand::test
