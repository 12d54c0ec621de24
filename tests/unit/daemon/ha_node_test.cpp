// The pure parts of a node on the shared ledger: its memory file (kept, refused when corrupt or
// another node's), the policy's hash and the keeper's settings from the `ha:` section.

#include "paymand/daemon/ha_node.hpp"
#include "support/engine_run.hpp"
#include "support/process.hpp"

#include <boost/asio/io_context.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

namespace paymand::daemon {
namespace {

using testing::HasSubstr;

TEST(node_memory, a_missing_file_is_a_new_node_that_remembers_nothing)
{
    paymand::test::temp_dir dir;
    auto memory = read_node_memory(node_memory_path(dir.path()), "pay-1");
    ASSERT_TRUE(memory) << memory.error().message;
    EXPECT_EQ(memory->highest_epoch, 0);
    EXPECT_EQ(memory->shipped_seq, 0);
}

TEST(node_memory, what_is_written_is_read_back_private_to_the_owner)
{
    paymand::test::temp_dir dir;
    const auto file = node_memory_path(dir.path());
    ASSERT_TRUE(write_node_memory(file, "pay-1", {.highest_epoch = 7, .shipped_seq = 1234}));
    auto memory = read_node_memory(file, "pay-1");
    ASSERT_TRUE(memory) << memory.error().message;
    EXPECT_EQ(memory->highest_epoch, 7);
    EXPECT_EQ(memory->shipped_seq, 1234);
    struct stat st {};
    ASSERT_EQ(::stat(file.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(node_memory, a_corrupt_file_is_refused_naming_the_file_and_the_fault)
{
    paymand::test::temp_dir dir;
    const auto file = node_memory_path(dir.path());
    const std::pair<const char*, const char*> cases[] = {
        {"", "is not JSON"},
        {"{\"format\":1,\"node\":\"pay-1\",\"highest_ep", "is not JSON"},
        {"[1,2]", "is not JSON"},
        {"{\"format\":2,\"node\":\"pay-1\",\"highest_epoch\":1,\"shipped_seq\":0}",
         "is not of format 1"},
        {"{\"format\":1,\"node\":\"pay-1\",\"highest_epoch\":-1,\"shipped_seq\":0}",
         "non-negative integers"},
        {"{\"format\":1,\"node\":\"pay-1\",\"highest_epoch\":\"3\",\"shipped_seq\":0}",
         "non-negative integers"},
        {"{\"format\":1,\"node\":\"pay-1\",\"highest_epoch\":3,\"shipped_seq\":0,\"x\":1}",
         "keys this paymand does not know"},
        {"{\"format\":1,\"highest_epoch\":3,\"shipped_seq\":0}", "names no node"},
    };
    for (const auto& [text, fault] : cases) {
        dir.write("ha-node.json", text);
        auto memory = read_node_memory(file, "pay-1");
        ASSERT_FALSE(memory) << text;
        EXPECT_EQ(memory.error().code, boost::system::errc::bad_message) << text;
        EXPECT_THAT(memory.error().message, HasSubstr(file.string())) << text;
        EXPECT_THAT(memory.error().message, HasSubstr(fault)) << text;
        EXPECT_THAT(memory.error().message, HasSubstr("must not lead")) << text;
    }
}

TEST(node_memory, another_nodes_memory_is_refused)
{
    paymand::test::temp_dir dir;
    const auto file = node_memory_path(dir.path());
    ASSERT_TRUE(write_node_memory(file, "pay-1", {.highest_epoch = 3, .shipped_seq = 0}));
    auto memory = read_node_memory(file, "pay-2");
    ASSERT_FALSE(memory);
    EXPECT_THAT(memory.error().message, HasSubstr("belongs to node 'pay-1', not to 'pay-2'"));
}

TEST(node_memory, a_directory_in_its_place_is_refused)
{
    paymand::test::temp_dir dir;
    const auto file = node_memory_path(dir.path());
    std::filesystem::create_directory(file);
    auto memory = read_node_memory(file, "pay-1");
    ASSERT_FALSE(memory);
    EXPECT_THAT(memory.error().message, HasSubstr("is not a regular file"));
}

TEST(rule_set_hash, is_the_same_for_the_same_rules_in_any_order_and_changes_with_any_rule)
{
    const auto policy = rules::permissive_policy();
    const char* a = R"(rules:
  - id: rent
    schedule: monthly on day 1 at 09:00
    pay: {payee: John Doe, amount: 300.00}
  - id: cleaning
    schedule: weekly on mon at 10:00
    pay: {payee: Acme, amount: 80.00}
)";
    const char* reordered = R"(rules:
  - id: cleaning
    schedule: weekly on mon at 10:00
    pay: {payee: Acme, amount: 80.00}
  - id: rent
    schedule: monthly on day 1 at 09:00
    pay: {payee: John Doe, amount: 300.00}
)";
    const char* other_amount = R"(rules:
  - id: rent
    schedule: monthly on day 1 at 09:00
    pay: {payee: John Doe, amount: 300.01}
  - id: cleaning
    schedule: weekly on mon at 10:00
    pay: {payee: Acme, amount: 80.00}
)";
    const char* disabled = R"(rules:
  - id: rent
    enabled: false
    schedule: monthly on day 1 at 09:00
    pay: {payee: John Doe, amount: 300.00}
  - id: cleaning
    schedule: weekly on mon at 10:00
    pay: {payee: Acme, amount: 80.00}
)";
    const auto base = rule_set_hash(*test::load_rules(a, policy));
    EXPECT_EQ(base.size(), 64u);
    EXPECT_EQ(rule_set_hash(*test::load_rules(reordered, policy)), base);
    EXPECT_NE(rule_set_hash(*test::load_rules(other_amount, policy)), base);
    EXPECT_NE(rule_set_hash(*test::load_rules(disabled, policy)), base);
}

TEST(ha_node, keeps_the_acknowledged_audit_seq_and_connects_to_nothing_when_opened)
{
    paymand::test::temp_dir dir;
    boost::asio::io_context io;
    config::daemon_config cfg;
    cfg.state_directory = dir.path();
    cfg.ha = config::ha_config{.conninfo = "host=/nonexistent dbname=paymand", .node = "pay-1"};
    const auto rules = test::load_rules(R"(rules:
  - id: rent
    schedule: monthly on day 1 at 09:00
    pay: {payee: John Doe, amount: 300.00}
)",
                                        rules::permissive_policy());
    const config::env_lookup no_env = [](const char*) -> const char* { return nullptr; };
    auto node = ha_node::open(io.get_executor(), cfg, *rules, no_env, spdlog::default_logger());
    ASSERT_TRUE(node) << node.error().message;
    EXPECT_EQ((*node)->identity().rules_hash, rule_set_hash(*rules));
    EXPECT_EQ((*node)->identity().policy_hash, policy_hash(cfg.policy));
    EXPECT_FALSE(std::filesystem::exists(node_memory_path(dir.path())));  // nothing to keep yet
    ASSERT_TRUE((*node)->record_shipped(5));
    ASSERT_TRUE((*node)->record_shipped(3));  // an older acknowledgement changes nothing
    auto memory = read_node_memory(node_memory_path(dir.path()), "pay-1");
    ASSERT_TRUE(memory) << memory.error().message;
    EXPECT_EQ(memory->shipped_seq, 5);
    EXPECT_EQ(memory->highest_epoch, 0);
    node->reset();
    EXPECT_EQ(io.poll(), 0u);  // nothing was started

    dir.write("ha-node.json", "not json");
    auto refused = ha_node::open(io.get_executor(), cfg, *rules, no_env, spdlog::default_logger());
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, boost::system::errc::bad_message);
}

TEST(policy_hash, changes_with_a_limit_a_payee_or_the_zone_and_only_then)
{
    rules::policy a;
    a.payees = {"John Doe"};
    a.limits.currencies["TSD"].daily = 100000;
    const auto base = policy_hash(a);
    EXPECT_EQ(base.size(), 64u);
    EXPECT_EQ(policy_hash(a), base);
    auto b = a;
    b.limits.currencies["TSD"].daily = 100001;
    EXPECT_NE(policy_hash(b), base);
    b = a;
    b.payees.push_back("Acme");
    EXPECT_NE(policy_hash(b), base);
    b = a;
    b.timezone = "Europe/Berlin";
    EXPECT_NE(policy_hash(b), base);
    b = a;
    b.limits.payees["John Doe"]["TSD"].monthly = 5;
    EXPECT_NE(policy_hash(b), base);
    // A name cannot pass for two: length-prefixed.
    b = a;
    b.payees = {"John Doe\npayee 4:Acme"};
    auto c = a;
    c.payees = {"John Doe", "Acme"};
    EXPECT_NE(policy_hash(b), policy_hash(c));
}

TEST(make_keeper_settings, takes_every_timing_and_timeout_from_the_ha_section)
{
    config::ha_config ha;
    ha.node = "pay-1";
    ha.lease = std::chrono::seconds(12);
    ha.renew = std::chrono::seconds(3);
    ha.safety_margin = std::chrono::seconds(2);
    ha.max_clock_skew = std::chrono::seconds(4);
    ha.timeouts = {.connect = std::chrono::seconds(6),
                   .reply = std::chrono::seconds(8),
                   .statement = std::chrono::seconds(9),
                   .lock = std::chrono::seconds(1),
                   .idle_in_transaction = std::chrono::seconds(11)};
    const auto s = make_keeper_settings(ha, "host=db1 dbname=paymand",
                                        {.node = "pay-1", .rules_hash = "r", .policy_hash = "p"},
                                        {.highest_epoch = 5, .shipped_seq = 6});
    EXPECT_EQ(s.connection.conninfo, "host=db1 dbname=paymand");
    EXPECT_EQ(s.connection.connect_timeout, std::chrono::seconds(6));
    EXPECT_EQ(s.connection.reply_timeout, std::chrono::seconds(8));
    EXPECT_EQ(s.connection.statement_timeout, std::chrono::seconds(9));
    EXPECT_EQ(s.connection.lock_timeout, std::chrono::seconds(1));
    EXPECT_EQ(s.connection.idle_in_transaction_session_timeout, std::chrono::seconds(11));
    EXPECT_EQ(s.identity.node, "pay-1");
    EXPECT_EQ(s.identity.rules_hash, "r");
    EXPECT_EQ(s.identity.policy_hash, "p");
    EXPECT_EQ(s.lease, std::chrono::seconds(12));
    EXPECT_EQ(s.renew, std::chrono::seconds(3));
    EXPECT_EQ(s.safety_margin, std::chrono::seconds(2));
    EXPECT_EQ(s.max_clock_skew, std::chrono::seconds(4));
    EXPECT_EQ(s.memory.highest_epoch, 5);
    EXPECT_EQ(s.memory.shipped_seq, 6);
}

TEST(same_ha_settings, any_node_connection_or_timing_change_differs)
{
    config::ha_config a{.conninfo = "host=db1", .node = "pay-1"};
    EXPECT_TRUE(same_ha_settings(a, a));
    auto b = a;
    b.renew = std::chrono::seconds(3);
    EXPECT_FALSE(same_ha_settings(a, b));
    b = a;
    b.timeouts.lock = std::chrono::seconds(9);
    EXPECT_FALSE(same_ha_settings(a, b));
    b = a;
    b.conninfo.reset();
    b.conninfo_source = config::secret_source{.from = config::secret_source::kind::file,
                                              .name = "/etc/paymand/db-conninfo"};
    EXPECT_FALSE(same_ha_settings(a, b));
    b = a;
    b.node = "pay-2";
    EXPECT_FALSE(same_ha_settings(a, b));
}

TEST(ha_figures_of, a_node_not_eligible_is_neither_leader_nor_eligible)
{
    ledger::keeper_status s;
    s.role = ledger::keeper_role::not_eligible;
    s.epoch = 4;
    s.takeovers = 2;
    s.losses = 1;
    auto f = ha_figures_of(s);
    EXPECT_FALSE(f.leader);
    EXPECT_FALSE(f.eligible);
    EXPECT_EQ(f.epoch, 4);
    EXPECT_EQ(f.takeovers, 2u);
    EXPECT_EQ(f.lease_losses, 1u);
    s.role = ledger::keeper_role::leader;
    s.lease_remaining = std::chrono::milliseconds(900);
    f = ha_figures_of(s);
    EXPECT_TRUE(f.leader);
    EXPECT_TRUE(f.eligible);
    EXPECT_EQ(f.lease_remaining, std::chrono::milliseconds(900));
}

}  // namespace
}  // namespace paymand::daemon
