// Keep-alive reuse, sessions and metadata on the wire, against payman-sandbox.

#include "client_fixture.hpp"

namespace paymand::test {
namespace {

namespace json = boost::json;

class transport : public client_test {};

TEST_F(transport, sequential_asks_reuse_one_connection)
{
    sandbox_process sb;
    auto c = credentials_client(sb);
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(ask(c, "what's my wallet balance?"));
    EXPECT_EQ(stat(sb, "connections"), 1);  // the token request and five asks
    EXPECT_EQ(c.stats().connections_opened, 1u);
}

TEST_F(transport, an_idle_connection_past_its_idle_timeout_is_not_reused)
{
    sandbox_process sb;
    auto config = config_for(sb);
    config.http.idle_timeout = 0ms;
    auto c = credentials_client(sb, config);
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(ask(c, "what's my wallet balance?"));
    EXPECT_EQ(stat(sb, "connections"), 4);  // the token request and three asks
}

TEST_F(transport, the_session_is_kept_until_a_new_one_is_asked_for)
{
    sandbox_process sb;
    auto c = credentials_client(sb);
    auto first = ask(c, "list all payees");
    auto second = ask(c, "list all payees");
    ASSERT_TRUE(first && second);
    EXPECT_EQ(first->session_id, second->session_id);
    payman::ask_options fresh;
    fresh.new_session = true;
    auto third = ask(c, "list all payees", fresh);
    ASSERT_TRUE(third);
    EXPECT_NE(third->session_id, first->session_id);
    EXPECT_EQ(c.session_id(), third->session_id);
    payman::ask_options resume;
    resume.session_id = first->session_id;
    auto fourth = ask(c, "list all payees", resume);
    ASSERT_TRUE(fourth);
    EXPECT_EQ(fourth->session_id, first->session_id);
}

TEST_F(transport, every_ask_has_its_own_task_id)
{
    sandbox_process sb;
    auto c = credentials_client(sb);
    auto a = ask(c, "list all payees");
    auto b = ask(c, "list all payees");
    ASSERT_TRUE(a && b);
    EXPECT_NE(a->task_id, b->task_id);
    EXPECT_NE(a->request_id, b->request_id);
}

TEST_F(transport, the_idempotency_key_in_metadata_prevents_a_second_payment)
{
    sandbox_process sb;
    auto c = credentials_client(sb);
    payman::ask_options options;
    options.idempotency_key = "rent-john-2026-12";
    options.occurrence_id = "rent-john@2026-12-01T09:00";
    auto first = ask(c, "send 100.00 TSD to John Doe", options);
    auto repeat = ask(c, "send 100.00 TSD to John Doe", options);
    ASSERT_TRUE(first) << first.error().what();
    ASSERT_TRUE(repeat) << repeat.error().what();
    auto ledger = sb.ledger();
    const auto& transactions = ledger.at("transactions").as_array();
    ASSERT_EQ(transactions.size(), 1u) << json::serialize(ledger);
    EXPECT_EQ(transactions[0].at("idempotency_key"), "rent-john-2026-12");
    EXPECT_EQ(transactions[0].at("amount"), "100.00");
    EXPECT_EQ(transactions[0].at("task_id"), json::value(first->task_id));
}

TEST_F(transport, a_payment_moves_money_once)
{
    sandbox_process sb;
    auto c = credentials_client(sb);
    auto r = ask(c, "send 100.00 TSD to John Doe");
    ASSERT_TRUE(r) << r.error().what();
    EXPECT_EQ(r->state, payman::task_state::completed);
    auto ledger = sb.ledger();
    ASSERT_EQ(ledger.at("transactions").as_array().size(), 1u);
    EXPECT_EQ(ledger.at("wallets").as_array()[0].at("balance"), "900.00");
}

TEST_F(transport, a_payment_over_the_limit_comes_back_as_input_required)
{
    sandbox_process sb(
        params_with([](sandbox_params& p) { p.defaults.per_transaction_limit = "50.00"; }));
    auto c = credentials_client(sb);
    auto r = ask(c, "send 100.00 TSD to John Doe");
    ASSERT_TRUE(r) << r.error().what();
    EXPECT_EQ(r->state, payman::task_state::input_required);
    EXPECT_EQ(ledger_size(sb), 0u);
}

TEST_F(transport, a_small_pool_makes_asks_wait_for_a_connection)
{
    sandbox_process sb;
    auto config = config_for(sb);
    config.http.max_connections = 1;
    auto c = credentials_client(sb, config);
    std::vector<std::optional<ask_outcome>> results(8);
    for (auto& slot : results) {
        boost::asio::co_spawn(
            io,
            [&]() -> boost::asio::awaitable<void> {
                slot.emplace(co_await c.async_ask("list all payees"));
            },
            [](std::exception_ptr e) {
                if (e) std::rethrow_exception(e);
            });
    }
    io.run_for(60s);
    for (const auto& r : results) {
        ASSERT_TRUE(r.has_value());
        EXPECT_TRUE(*r);
    }
    EXPECT_EQ(stat(sb, "connections"), 1);
}

}  // namespace
}  // namespace paymand::test
