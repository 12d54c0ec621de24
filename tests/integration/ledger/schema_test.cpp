// `db init` and `db migrate` against a real server: versions, refusals, and two at once.

#include "ledger_fixture.hpp"
#include "paymand/ledger/schema.hpp"

namespace paymand::test {
namespace {

using ledger::ledger_errc;
using ledger::migrate_mode;

using schema_test = ledger_test;

TEST_F(schema_test, init_creates_every_table_at_the_known_version)
{
    auto c = open();
    auto r = run(ledger::async_migrate(c, migrate_mode::init));
    ASSERT_TRUE(r) << r.error().what();
    EXPECT_EQ(r->from, 0);
    EXPECT_EQ(r->to, ledger::known_schema_version());
    EXPECT_EQ(pg.query_value(db, "SELECT version FROM paymand_schema"),
              std::to_string(ledger::known_schema_version()));
    for (const char* table :
         {"paymand_lease", "paymand_occurrence", "paymand_audit", "paymand_node"})
        EXPECT_EQ(pg.query_value(db, std::string("SELECT to_regclass('") + table + "') IS NULL"),
                  "f")
            << table;
    EXPECT_EQ(pg.query_value(db, "SELECT epoch FROM paymand_lease"), "0");
    auto checked = run(ledger::async_check_schema(c));
    EXPECT_TRUE(checked) << checked.error().what();
}

TEST_F(schema_test, init_refuses_a_database_that_holds_the_schema)
{
    auto c = open();
    ASSERT_TRUE(run(ledger::async_migrate(c, migrate_mode::init)));
    auto again = run(ledger::async_migrate(c, migrate_mode::init));
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, ledger_errc::already_initialised);
    EXPECT_EQ(c.transaction_state(), "idle");
}

TEST_F(schema_test, migrate_refuses_a_database_without_the_schema_and_creates_nothing)
{
    auto c = open();
    auto r = run(ledger::async_migrate(c, migrate_mode::migrate));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ledger_errc::schema_missing);
    EXPECT_EQ(pg.query_value(db, "SELECT to_regclass('paymand_schema') IS NULL"), "t");
    auto checked = run(ledger::async_check_schema(c));
    ASSERT_FALSE(checked);
    EXPECT_EQ(checked.error().code, ledger_errc::schema_missing);
}

TEST_F(schema_test, migrate_on_a_current_schema_changes_nothing)
{
    auto c = open();
    ASSERT_TRUE(run(ledger::async_migrate(c, migrate_mode::init)));
    auto r = run(ledger::async_migrate(c, migrate_mode::migrate));
    ASSERT_TRUE(r) << r.error().what();
    EXPECT_EQ(r->from, ledger::known_schema_version());
    EXPECT_EQ(r->to, ledger::known_schema_version());
}

TEST_F(schema_test, a_newer_schema_is_refused_and_left_as_it_is)
{
    auto c = open();
    ASSERT_TRUE(run(ledger::async_migrate(c, migrate_mode::init)));
    const auto newer = std::to_string(ledger::known_schema_version() + 1);
    pg.execute(db, "UPDATE paymand_schema SET version = " + newer);
    auto migrated = run(ledger::async_migrate(c, migrate_mode::migrate));
    ASSERT_FALSE(migrated);
    EXPECT_EQ(migrated.error().code, ledger_errc::schema_newer);
    auto checked = run(ledger::async_check_schema(c));
    ASSERT_FALSE(checked);
    EXPECT_EQ(checked.error().code, ledger_errc::schema_newer);
    EXPECT_NE(checked.error().message.find("version " + newer), std::string::npos);
    EXPECT_EQ(pg.query_value(db, "SELECT version FROM paymand_schema"), newer);
}

TEST_F(schema_test, two_inits_at_once_create_the_schema_once)
{
    auto a = open();
    auto b = open();
    auto [ra, rb] = run_both(ledger::async_migrate(a, migrate_mode::init),
                             ledger::async_migrate(b, migrate_mode::init));
    ASSERT_NE(ra.has_value(), rb.has_value());  // exactly one made it
    const auto& refused = ra ? rb.error() : ra.error();
    EXPECT_EQ(refused.code, ledger_errc::already_initialised) << refused.what();
    EXPECT_EQ(pg.query_value(db, "SELECT version FROM paymand_schema"),
              std::to_string(ledger::known_schema_version()));
}

}  // namespace
}  // namespace paymand::test
