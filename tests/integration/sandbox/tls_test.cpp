// payman-sandbox over HTTPS with certificates made at test time.

#include "support/process.hpp"
#include "support/sandbox.hpp"
#include "support/tls.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace paymand::test {
namespace {

class SandboxTls : public ::testing::Test {
protected:
    temp_dir dir;
    tls_files files = make_tls_files(dir.path());
};

TEST_F(SandboxTls, ServesHttpsWithATrustedCertificate)
{
    sandbox_process sandbox(
        {.cert_file = files.server_cert, .key_file = files.server_key, .ca_file = files.ca_cert});
    EXPECT_THAT(sandbox.base_url(), ::testing::StartsWith("https://127.0.0.1:"));
    auto token = std::string(sandbox.fetch_token().at("accessToken").as_string());
    auto r = sandbox.ask(token, "list all wallets and their balances");
    EXPECT_EQ(r.status, 200);
    EXPECT_THAT(r.body, ::testing::HasSubstr("Operations"));
}

TEST_F(SandboxTls, WrongHostNameIsRefusedByAVerifyingClient)
{
    sandbox_process sandbox({.cert_file = files.wrong_host_cert,
                             .key_file = files.wrong_host_key,
                             .ca_file = files.ca_cert});
    EXPECT_THROW(sandbox.fetch_token(), std::runtime_error);
}

TEST_F(SandboxTls, UnknownCaIsRefusedByAVerifyingClient)
{
    sandbox_process sandbox({.cert_file = files.unknown_ca_server_cert,
                             .key_file = files.unknown_ca_server_key,
                             .ca_file = files.ca_cert});
    EXPECT_THROW(sandbox.fetch_token(), std::runtime_error);
}

TEST_F(SandboxTls, PlainHttpToTheTlsPortGetsNoAnswer)
{
    sandbox_process sandbox(
        {.cert_file = files.server_cert, .key_file = files.server_key, .ca_file = files.ca_cert});
    std::string url = sandbox.base_url();
    url.replace(0, 5, "http");
    EXPECT_ANY_THROW(http_request({.url = url + "/oauth2/token"}));
    EXPECT_EQ(sandbox.ledger().at("wallets").at(0).at("balance"), "1000.00");
}

}  // namespace
}  // namespace paymand::test
