// Interoperability: a plain Python client that speaks exactly as the official Python SDK
// (tests/interop/sdk_client.py: python3 + requests) runs Payman's documented examples
// against the sandbox; the ledger witnesses the payment.

#include "support/process.hpp"
#include "support/sandbox.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace paymand::test {
namespace {

TEST(SandboxInterop, PythonSdkClientCompletesTheDocumentedExamples)
{
    sandbox_process sandbox;
    auto result =
        run("/usr/bin/python3",
            {.args = {source_path("tests/interop/sdk_client.py").string(), sandbox.base_url(),
                      std::string(sandbox_client_id), std::string(sandbox_client_secret),
                      "Test User", "test.user@example.com"}});
    ASSERT_TRUE(result.status.ok()) << result.out << result.err;
    EXPECT_THAT(result.out, ::testing::HasSubstr("1,000.00"));
    EXPECT_THAT(result.out, ::testing::HasSubstr("Test User"));

    auto ledger = sandbox.ledger();
    ASSERT_EQ(ledger.at("payees").as_array().size(), 2u);
    EXPECT_EQ(ledger.at("payees").at(1).at("name"), "Test User");
    ASSERT_EQ(ledger.at("transactions").as_array().size(), 1u);
    auto tx = ledger.at("transactions").at(0);
    EXPECT_EQ(tx.at("payee"), "Test User");
    EXPECT_EQ(tx.at("amount"), "100.00");
    EXPECT_EQ(tx.at("currency"), "TSD");
    EXPECT_EQ(ledger.at("wallets").at(0).at("balance"), "900.00");
    auto stats = sandbox.stats();
    EXPECT_EQ(stats.at("tokens_issued"), 1) << "the SDK reuses its token";
    EXPECT_EQ(stats.at("requests").at("tasks_send"), 4);
}

}  // namespace
}  // namespace paymand::test
