// `paymand db init|migrate` as an operator runs it: output and exit codes.

#include "paymand/ledger/schema.hpp"
#include "support/pg_server.hpp"
#include "support/process.hpp"

#include <gtest/gtest.h>

#include <string>

namespace paymand::test {
namespace {

run_result db(const std::string& sub, const std::string& conninfo)
{
    return run(our_binary("paymand"), {.args = {"db", sub, "--conninfo", conninfo}});
}

TEST(db_command, init_creates_the_schema_then_migrate_finds_nothing_to_do)
{
    auto& pg = pg_environment::server();
    const auto conninfo = pg.socket_conninfo(pg.create_database());
    auto made = db("init", conninfo);
    EXPECT_TRUE(made.status.ok()) << made.err;
    EXPECT_NE(made.out.find("schema created at version 3"), std::string::npos) << made.out;
    auto again = db("init", conninfo);
    EXPECT_EQ(again.status.code, 1);
    EXPECT_NE(again.err.find("already holds the paymand schema"), std::string::npos) << again.err;
    auto migrated = db("migrate", conninfo);
    EXPECT_TRUE(migrated.status.ok()) << migrated.err;
    EXPECT_NE(migrated.out.find("nothing to do"), std::string::npos) << migrated.out;
}

TEST(db_command, migrate_refuses_a_database_without_the_schema)
{
    auto& pg = pg_environment::server();
    auto r = db("migrate", pg.socket_conninfo(pg.create_database()));
    EXPECT_EQ(r.status.code, 1);
    EXPECT_NE(r.err.find("paymand db init"), std::string::npos) << r.err;
}

// Version 2 adds the node table, version 3 what each row pays; rows gated before keep none.
TEST(db_command, migrate_takes_a_version_1_database_with_rows_to_the_latest_version)
{
    auto& pg = pg_environment::server();
    const auto name = pg.create_database();
    // A database made by a paymand that knew version 1 only, with a payment in it.
    pg.execute(name, std::string(ledger::migrations()[0].sql));
    pg.execute(name, "UPDATE paymand_schema SET version = 1");
    pg.execute(name, "INSERT INTO paymand_occurrence VALUES ('rent@2026-11-01T09:00', 'rent', "
                     "'paid', 1, 'pay-1', clock_timestamp(), clock_timestamp())");
    auto migrated = db("migrate", pg.socket_conninfo(name));
    EXPECT_TRUE(migrated.status.ok()) << migrated.err;
    EXPECT_NE(migrated.out.find("schema migrated from version 1 to 3"), std::string::npos)
        << migrated.out;
    EXPECT_EQ(pg.query_value(name, "SELECT version FROM paymand_schema"), "3");
    EXPECT_EQ(pg.query_value(name, "SELECT to_regclass('paymand_node') IS NULL"), "f");
    EXPECT_EQ(pg.query_value(name, "SELECT state || ' ' || (amount_minor IS NULL) FROM "
                                   "paymand_occurrence"),
              "paid true");
}

TEST(db_command, a_newer_schema_exits_65)
{
    auto& pg = pg_environment::server();
    const auto name = pg.create_database();
    ASSERT_TRUE(db("init", pg.socket_conninfo(name)).status.ok());
    pg.execute(name, "UPDATE paymand_schema SET version = version + 1");
    auto r = db("migrate", pg.socket_conninfo(name));
    EXPECT_EQ(r.status.code, 65);
    EXPECT_NE(r.err.find("newer than this paymand"), std::string::npos) << r.err;
}

TEST(db_command, an_unreachable_database_exits_69_without_showing_the_password)
{
    auto& pg = pg_environment::server();
    auto r = run(our_binary("paymand"),
                 {.args = {"db", "migrate"},
                  .env = {"PAYMAND_DB_CONNINFO=host=127.0.0.1 port=" + std::to_string(pg.port()) +
                          " user=postgres dbname=postgres password=Wr0ng-pw-not-shown"}});
    EXPECT_EQ(r.status.code, 69) << r.err;
    EXPECT_EQ(r.err.find("Wr0ng-pw-not-shown"), std::string::npos) << r.err;
    EXPECT_EQ(r.out.find("Wr0ng-pw-not-shown"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace paymand::test
