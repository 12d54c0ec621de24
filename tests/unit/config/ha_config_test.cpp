// The `ha:` section: read strictly (file:line:col errors, unknown keys refused), defaults, the
// connection string kept like a secret, and nothing of it when the section is absent.

#include "config_test_util.hpp"
#include "paymand/config/daemon_config.hpp"
#include "paymand/config/ha_config.hpp"
#include "support/process.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <map>

namespace paymand::config {
namespace ha_test {

using testing::HasSubstr;
using testing::Not;
using namespace std::chrono_literals;

const char* const base = test_util::minimal_config;

struct read_result {
    std::optional<daemon_config> config;
    std::string errors;
};

read_result read_with(const std::string& ha_text,
                      const std::map<std::string, std::string>& vars = {})
{
    yaml::diagnostics diags;
    auto config = parse_daemon_config(
        std::string(base) + ha_text, "paymand.yaml", "/etc/paymand",
        [&vars](const char* name) -> const char* {
            auto it = vars.find(name);
            return it == vars.end() ? nullptr : it->second.c_str();
        },
        diags);
    return {std::move(config), diags.to_string()};
}

std::string this_host()
{
    char name[256] = {};
    EXPECT_EQ(::gethostname(name, sizeof name - 1), 0);
    return name;
}

TEST(ha_config, no_section_no_ha)
{
    auto r = read_with("");
    ASSERT_TRUE(r.config) << r.errors;
    EXPECT_FALSE(r.config->ha.has_value());
}

TEST(ha_config, the_defaults_lease_10s_renew_2s_and_the_host_name)
{
    auto r = read_with("ha:\n  conninfo: host=db1,db2 dbname=paymand "
                       "target_session_attrs=read-write\n");
    ASSERT_TRUE(r.config) << r.errors;
    ASSERT_TRUE(r.config->ha);
    const auto& ha = *r.config->ha;
    EXPECT_EQ(ha.conninfo, "host=db1,db2 dbname=paymand target_session_attrs=read-write");
    EXPECT_FALSE(ha.conninfo_source);
    EXPECT_EQ(ha.node, this_host());
    EXPECT_EQ(ha.lease, 10s);
    EXPECT_EQ(ha.renew, 2s);
    EXPECT_EQ(ha.safety_margin, 1s);
    EXPECT_EQ(ha.max_clock_skew, 1s);
    EXPECT_EQ(ha.timeouts.connect, 5s);
    EXPECT_EQ(ha.timeouts.reply, 7s);
    EXPECT_EQ(ha.timeouts.statement, 5s);
    EXPECT_EQ(ha.timeouts.lock, 2s);
    EXPECT_EQ(ha.timeouts.idle_in_transaction, 10s);
}

TEST(ha_config, every_key_is_read)
{
    auto r = read_with(R"(ha:
  conninfo: {file: secrets/db}
  node: alpha-1.example
  lease: 20s
  renew: 4s
  safety_margin: 2s
  max_clock_skew: 3s
  timeouts: {connect: 6s, reply: 8s, statement: 9s, lock: 3s, idle_in_transaction: 11s}
)");
    ASSERT_TRUE(r.config) << r.errors;
    const auto& ha = *r.config->ha;
    EXPECT_FALSE(ha.conninfo);
    ASSERT_TRUE(ha.conninfo_source);
    EXPECT_EQ(ha.conninfo_source->from, secret_source::kind::file);
    EXPECT_EQ(ha.conninfo_source->name, "/etc/paymand/secrets/db");
    EXPECT_EQ(ha.conninfo_source->defined_at, "paymand.yaml:9:3");
    EXPECT_EQ(ha.node, "alpha-1.example");
    EXPECT_EQ(ha.lease, 20s);
    EXPECT_EQ(ha.renew, 4s);
    EXPECT_EQ(ha.safety_margin, 2s);
    EXPECT_EQ(ha.max_clock_skew, 3s);
    EXPECT_EQ(ha.timeouts.connect, 6s);
    EXPECT_EQ(ha.timeouts.reply, 8s);
    EXPECT_EQ(ha.timeouts.statement, 9s);
    EXPECT_EQ(ha.timeouts.lock, 3s);
    EXPECT_EQ(ha.timeouts.idle_in_transaction, 11s);
}

TEST(ha_config, errors_are_placed_and_unknown_keys_refused)
{
    auto r = read_with("ha:\n  conninfo: dbname=p\n  node: alpha\n  leese: 10s\n");
    EXPECT_FALSE(r.config);
    EXPECT_THAT(r.errors, HasSubstr("paymand.yaml:11:3: error: unknown key"));
    auto missing = read_with("ha:\n  node: alpha\n");
    EXPECT_FALSE(missing.config);
    EXPECT_THAT(missing.errors, HasSubstr("\"conninfo\""));
    auto bad_node = read_with("ha:\n  conninfo: dbname=p\n  node: \"al pha\"\n");
    EXPECT_FALSE(bad_node.config);
    EXPECT_THAT(bad_node.errors, HasSubstr("paymand.yaml:10:9: error: ha.node: a node name"));
    auto bad_time = read_with("ha:\n  conninfo: dbname=p\n  node: a\n  lease: soon\n");
    EXPECT_FALSE(bad_time.config);
    EXPECT_THAT(bad_time.errors, HasSubstr("paymand.yaml:11:"));
}

TEST(ha_config, a_lease_without_room_for_a_renewal_and_a_retry_is_refused)
{
    auto r = read_with("ha:\n  conninfo: dbname=p\n  node: a\n  lease: 4s\n  renew: 2s\n");
    EXPECT_FALSE(r.config);
    EXPECT_THAT(r.errors, HasSubstr("paymand.yaml:11:10: error: ha.lease (4s) must be at least "
                                    "twice ha.renew (2s) plus ha.safety_margin (1s)"));
    EXPECT_TRUE(
        read_with("ha:\n  conninfo: dbname=p\n  node: a\n  lease: 5s\n  renew: 2s\n").config);
}

TEST(ha_config, timing_may_be_given_in_milliseconds)
{
    auto r = read_with(
        "ha:\n  conninfo: dbname=p\n  node: a\n  lease: 2s\n  renew: 500ms\n  safety_margin: "
        "1s\n  max_clock_skew: 250ms\n");
    ASSERT_TRUE(r.config) << r.errors;
    EXPECT_EQ(r.config->ha->lease, 2s);
    EXPECT_EQ(r.config->ha->renew, 500ms);
    EXPECT_EQ(r.config->ha->max_clock_skew, 250ms);
    auto tight = read_with("ha:\n  conninfo: dbname=p\n  node: a\n  lease: 2s\n  renew: 600ms\n");
    EXPECT_FALSE(tight.config);
    EXPECT_THAT(tight.errors, HasSubstr("ha.lease (2s) must be at least twice ha.renew (600ms) "
                                        "plus ha.safety_margin (1s)"));
    auto too_short = read_with("ha:\n  conninfo: dbname=p\n  node: a\n  renew: 50ms\n");
    EXPECT_FALSE(too_short.config);
    EXPECT_THAT(too_short.errors, HasSubstr("\"renew\" must be between 100ms and 1h"));
}

TEST(ha_config, a_password_in_the_file_is_refused_without_showing_it)
{
    for (const char* written :
         {"host=db password=hunter2x dbname=p", "postgresql://paymand:hunter2x@db/paymand",
          "postgres://db/paymand?PassWord=hunter2x"}) {
        auto r = read_with(std::string("ha:\n  conninfo: \"") + written + "\"\n  node: a\n");
        EXPECT_FALSE(r.config) << written;
        EXPECT_THAT(r.errors, HasSubstr("paymand.yaml:9:13: error: ha.conninfo holds a password"));
        EXPECT_THAT(r.errors, Not(HasSubstr("hunter2x")));
    }
    EXPECT_TRUE(read_with("ha:\n  conninfo: postgresql://paymand@db:5432/paymand\n  node: "
                          "a\n")
                    .config);
}

TEST(ha_config, a_source_mapping_is_checked_like_the_client_secret)
{
    auto two = read_with("ha:\n  conninfo: {env: A, file: /x}\n  node: a\n");
    EXPECT_FALSE(two.config);
    EXPECT_THAT(two.errors, HasSubstr("ha.conninfo must name exactly one source"));
    auto path = read_with("ha:\n  conninfo: {credential: a/b}\n  node: a\n");
    EXPECT_FALSE(path.config);
    EXPECT_THAT(path.errors, HasSubstr("ha.conninfo.credential is a credential name"));
    auto cred = read_with("ha:\n  conninfo: {credential: paymand-db}\n  node: a\n");
    ASSERT_TRUE(cred.config) << cred.errors;
    EXPECT_EQ(cred.config->ha->conninfo_source->from, secret_source::kind::credential);
}

TEST(ha_config, the_connection_string_is_loaded_from_a_private_file_only)
{
    test::temp_dir dir;
    const auto file = dir.path() / "db";
    {
        std::ofstream(file) << "host=db1 password=s3cr3t-value\n";
    }
    ::chmod(file.c_str(), 0600);
    ha_config ha;
    ha.conninfo_source = secret_source{secret_source::kind::file, file.string()};
    ha.conninfo_source->what = "database connection string";
    ha.conninfo_source->key = "ha.conninfo";
    ha.conninfo_source->defined_at = "paymand.yaml:9:3";
    auto loaded = load_conninfo(ha, [](const char*) -> const char* { return nullptr; });
    ASSERT_TRUE(loaded) << loaded.error().message;
    EXPECT_EQ(loaded->expose(), "host=db1 password=s3cr3t-value");
    ::chmod(file.c_str(), 0644);
    auto refused = load_conninfo(ha, [](const char*) -> const char* { return nullptr; });
    ASSERT_FALSE(refused);
    EXPECT_THAT(refused.error().message,
                HasSubstr("ha.conninfo (paymand.yaml:9:3): file " + file.string() +
                          " is accessible by group or "
                          "others (mode 0644); the database connection string must be readable "
                          "by its owner only"));
    EXPECT_THAT(refused.error().message, Not(HasSubstr("s3cr3t")));
}

TEST(ha_config, node_names)
{
    EXPECT_TRUE(check_node_name("node-1.dc_2").has_value());
    EXPECT_FALSE(check_node_name("").has_value());
    EXPECT_FALSE(check_node_name(std::string(64, 'a')).has_value());
    EXPECT_TRUE(check_node_name(std::string(63, 'a')).has_value());
    EXPECT_FALSE(check_node_name("a\nb").has_value());
    EXPECT_FALSE(check_node_name("a/b").has_value());
}

}  // namespace ha_test
}  // namespace paymand::config
