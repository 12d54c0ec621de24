// The test server itself: both listeners answer, each test's database is its own.

#include "support/pg_server.hpp"

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <string>

namespace paymand::test {
namespace {

bool connects(const std::string& conninfo)
{
    PGconn* c = PQconnectdb(conninfo.c_str());
    const bool ok = PQstatus(c) == CONNECTION_OK;
    PQfinish(c);
    return ok;
}

TEST(pg_server, answers_on_the_unix_socket_and_on_loopback_tcp_with_the_password)
{
    auto& pg = pg_environment::server();
    const auto db = pg.create_database();
    EXPECT_TRUE(connects(pg.socket_conninfo(db)));
    EXPECT_TRUE(connects(pg.tcp_conninfo(db)));
    EXPECT_FALSE(connects("host=127.0.0.1 port=" + std::to_string(pg.port()) +
                          " user=postgres password=wrong dbname=" + db));
    EXPECT_EQ(pg.query_value(db, "SHOW server_version_num").substr(0, 2), "15");
}

TEST(pg_server, gives_each_test_a_database_of_its_own)
{
    auto& pg = pg_environment::server();
    const auto a = pg.create_database();
    const auto b = pg.create_database();
    ASSERT_NE(a, b);
    pg.execute(a, "CREATE TABLE only_in_a (x int)");
    EXPECT_EQ(pg.query_value(b, "SELECT count(*) FROM pg_tables WHERE tablename = 'only_in_a'"),
              "0");
}

}  // namespace
}  // namespace paymand::test
