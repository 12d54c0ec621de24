// HA mode: every record carries the node that wrote it and the lease epoch it held, in the line
// (so in the hash chain); single-node lines stay as they were.

#include "audit_fixtures.hpp"
#include "paymand/audit/codec.hpp"
#include "paymand/audit/hash_chain.hpp"
#include "paymand/audit/reader.hpp"
#include "paymand/audit/verify.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>

using namespace paymand::audit;
using namespace paymand::audit::fixtures;
using paymand::test::temp_dir;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

namespace {

record stamped(std::uint64_t seq, std::string node, std::uint64_t epoch, bool dry_run = false)
{
    return record{.seq = seq,
                  .ts = utc_micros{at(1)},
                  .dry_run = dry_run,
                  .body = intent(occ("rent-john", 1)),
                  .stamp = node_stamp{.node = std::move(node), .epoch = epoch}};
}

std::string line_of(record& r, std::string_view prev = genesis_hash)
{
    auto line = format_line(r, prev);
    EXPECT_TRUE(line) << (line ? "" : line.error().message);
    return line ? *line : std::string();
}

std::string without_newline(std::string line)
{
    if (!line.empty() && line.back() == '\n') line.pop_back();
    return line;
}

}  // namespace

TEST(audit_stamp, node_and_epoch_follow_the_header_and_dry_run)
{
    auto r = stamped(3, "node-a", 7);
    EXPECT_THAT(line_of(r), StartsWith(R"({"seq":3,"ts":"2026-12-01T09:00:00.000000Z",)"
                                       R"("type":"intent","node":"node-a","epoch":7,)"
                                       R"("rule":"rent-john",)"));
    auto dry = stamped(4, "node-a", 0, true);
    EXPECT_THAT(line_of(dry), HasSubstr(R"("type":"intent","dry_run":true,"node":"node-a",)"
                                        R"("epoch":0,"rule")"));
}

TEST(audit_stamp, a_record_without_a_stamp_has_no_node_or_epoch_key)
{
    record r{.seq = 1, .ts = utc_micros{at(1)}, .body = started_record{"0.1.0", 7}};
    const auto line = line_of(r);
    EXPECT_EQ(line.substr(0, line.size() - hash_suffix_length - 1),
              R"({"seq":1,"ts":"2026-12-01T09:00:00.000000Z","type":"started",)"
              R"("version":"0.1.0","pid":7)");
    auto back = parse_line(without_newline(line));
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_FALSE(back->stamp);
}

TEST(audit_stamp, a_stamped_line_parses_back_to_the_same_record)
{
    for (const std::uint64_t epoch : {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{912}}) {
        auto r = stamped(5, "db-2.example_b", epoch);
        auto back = parse_line(without_newline(line_of(r)));
        ASSERT_TRUE(back) << back.error().message;
        EXPECT_EQ(*back, r);
        ASSERT_TRUE(back->stamp);
        EXPECT_EQ(back->stamp->node, "db-2.example_b");
        EXPECT_EQ(back->stamp->epoch, epoch);
    }
}

TEST(audit_stamp, the_hash_covers_node_and_epoch)
{
    auto a = stamped(1, "node-a", 7);
    auto b = stamped(1, "node-a", 8);
    auto c = stamped(1, "node-b", 7);
    line_of(a);
    line_of(b);
    line_of(c);
    EXPECT_NE(a.hash, b.hash);
    EXPECT_NE(a.hash, c.hash);
}

TEST(audit_stamp, node_without_epoch_epoch_without_node_or_either_elsewhere_is_malformed)
{
    auto r = stamped(1, "node-a", 7);
    const auto good = without_newline(line_of(r));
    auto replace = [&](std::string_view from, std::string_view to) {
        std::string s = good;
        s.replace(s.find(from), from.size(), to);
        return s;
    };
    for (const auto& bad : {
             replace(R"(,"epoch":7)", ""),        // node alone
             replace(R"("node":"node-a",)", ""),  // epoch alone
             replace(R"("node":"node-a","epoch":7)", R"("epoch":7,"node":"node-a")"),
             replace(R"("epoch":7)", R"("epoch":-1)"),       // not a count
             replace(R"("node":"node-a")", R"("node":"")"),  // an empty name
         }) {
        auto parsed = parse_line(bad);
        EXPECT_FALSE(parsed) << bad;
        if (!parsed) {
            EXPECT_EQ(parsed.error().code, audit_errc::malformed_line) << bad;
        }
    }
    // Among the type's own fields, the keys are reserved.
    auto moved = replace(R"("node":"node-a","epoch":7,"rule":"rent-john")",
                         R"("rule":"rent-john","node":"node-a","epoch":7)");
    EXPECT_FALSE(parse_line(moved));
}

TEST(audit_stamp, an_empty_node_name_is_never_written)
{
    auto r = stamped(1, "", 1);
    auto line = format_line(r, genesis_hash);
    ASSERT_FALSE(line);
    EXPECT_EQ(line.error().code, audit_errc::record_invalid);
}

TEST(audit_stamp, the_store_stamps_each_batch_as_it_is_written_and_reports_it_durable)
{
    temp_dir dir;
    auto p = params_in(dir);
    auto epoch = std::make_shared<std::atomic<std::uint64_t>>(0);
    p.stamp = [epoch] { return node_stamp{.node = "node-a", .epoch = epoch->load()}; };
    std::vector<std::uint64_t> durable;
    p.on_durable = [&durable](std::uint64_t seq) { durable.push_back(seq); };
    {
        audit_projection projection;
        auto store = open_store(p, projection);
        ASSERT_TRUE(store->append(std::vector<record_body>{started_record{"0.1.0", 1}}));
        epoch->store(4);
        const auto ref = occ("rent", 1);
        auto two = store->append(std::vector<record_body>{intent(ref), result(ref)});
        ASSERT_TRUE(two) << two.error().message;
        EXPECT_EQ(two->records.at(1).stamp, (node_stamp{.node = "node-a", .epoch = 4}));
    }
    EXPECT_EQ(durable, (std::vector<std::uint64_t>{0, 1, 3}));  // replay, then each append

    const auto lines = lines_of(read_file(p.log_path));
    ASSERT_EQ(lines.size(), 3u);
    EXPECT_THAT(lines[0], HasSubstr(R"("type":"started","node":"node-a","epoch":0,)"));
    EXPECT_THAT(lines[1], HasSubstr(R"("type":"intent","node":"node-a","epoch":4,)"));
    EXPECT_THAT(lines[2], HasSubstr(R"("type":"result","node":"node-a","epoch":4,)"));

    // Every reader accepts them: verify (both ways), the reader, a reopened store.
    for (const bool full : {false, true}) {
        auto verified = verify_log(p.log_path, verify_params{.full_parse = full});
        ASSERT_TRUE(verified);
        EXPECT_TRUE(verified->ok()) << verified->problem->message;
        EXPECT_EQ(verified->last_seq, 3u);
    }
    auto reader = audit_reader::open(p.log_path);
    ASSERT_TRUE(reader);
    auto records = reader->read_new();
    ASSERT_TRUE(records) << records.error().message;
    ASSERT_EQ(records->size(), 3u);
    EXPECT_EQ(records->back().stamp, (node_stamp{.node = "node-a", .epoch = 4}));
    audit_projection projection;
    replay_report report;
    open_store(p, projection, &report);
    EXPECT_FALSE(report.corruption);
    EXPECT_EQ(report.last_seq, 3u);
}

TEST(audit_stamp, a_store_without_a_provider_writes_single_node_lines)
{
    temp_dir dir;
    auto p = params_in(dir);
    p.stamp = [] { return std::optional<node_stamp>{}; };
    write_log(p, 1);
    for (const auto& line : lines_of(read_file(p.log_path))) {
        EXPECT_THAT(line, Not(HasSubstr("\"node\"")));
        EXPECT_THAT(line, Not(HasSubstr("\"epoch\"")));
    }
}
