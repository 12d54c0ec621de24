#include "audit_fixtures.hpp"
#include "paymand/audit/hash_chain.hpp"
#include "paymand/audit/verify.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

using namespace paymand::audit;
using namespace paymand::audit::fixtures;
using paymand::test::temp_dir;
using ::testing::HasSubstr;

namespace {

// Re-hashes lines given as prefixes (the bytes before `,"hash":"`), so a test can build a
// log whose chain is intact around whatever content it wants to check.
std::string chain(const std::vector<std::string>& prefixes)
{
    chain_hasher hasher;
    std::string prev(genesis_hash);
    std::string out;
    for (const auto& prefix : prefixes) {
        const auto h = hasher.next(prev, prefix);
        prev.assign(h.begin(), h.end());
        out += prefix + ",\"hash\":\"" + prev + "\"}\n";
    }
    return out;
}

std::vector<std::string> prefixes_of(const std::string& content)
{
    std::vector<std::string> out;
    for (const auto& line : lines_of(content)) {
        out.push_back(line.substr(0, line.size() - 1 - hash_suffix_length));
    }
    return out;
}

class audit_verify : public ::testing::Test {
protected:
    void SetUp() override
    {
        write_log(p_, 4);  // 9 records
        good_ = read_file(p_.log_path);
        lines_ = lines_of(good_);
    }

    verify_report check(const std::string& content, verify_params params = {})
    {
        write_file(p_.log_path, content);
        auto r = verify_log(p_.log_path, params);
        EXPECT_TRUE(r) << (r ? "" : r.error().message);
        return r ? *r : verify_report{};
    }

    std::string joined(const std::vector<std::string>& lines)
    {
        std::string s;
        for (const auto& l : lines) s += l;
        return s;
    }

    temp_dir dir_;
    file_store_params p_ = params_in(dir_);
    std::string good_;
    std::vector<std::string> lines_;
};

TEST_F(audit_verify, intact_log_verifies)
{
    auto r = check(good_, {.full_parse = true});
    EXPECT_TRUE(r.ok());
    EXPECT_EQ(r.records, 9u);
    EXPECT_EQ(r.bytes, good_.size());
    EXPECT_TRUE(check("").ok());
}

TEST_F(audit_verify, edited_byte_in_the_middle_is_a_bad_hash_at_that_line)
{
    std::string content = good_;
    std::size_t at = 0;
    for (int i = 0; i < 5; ++i)
        at += lines_[static_cast<std::size_t>(i)].size();  // line 6: an intent
    const std::size_t amount = content.find("\"100.00\"", at);
    content[amount + 1] = '9';  // 900.00: a plausible forgery
    auto r = check(content);
    ASSERT_TRUE(r.problem);
    EXPECT_EQ(r.problem->code, audit_errc::bad_hash);
    EXPECT_EQ(r.problem->line, 6u);
    EXPECT_EQ(r.problem->seq, 6u);
    EXPECT_EQ(r.problem->offset, at);
    EXPECT_EQ(r.records, 5u);
}

TEST_F(audit_verify, edited_hash_is_caught_at_its_own_line)
{
    std::string content = good_;
    const std::size_t end_of_first = lines_[0].size();
    content[end_of_first - 4] = content[end_of_first - 4] == '0' ? '1' : '0';
    auto r = check(content);
    ASSERT_TRUE(r.problem);
    EXPECT_EQ(r.problem->line, 1u);
    EXPECT_EQ(r.problem->code, audit_errc::bad_hash);
}

TEST_F(audit_verify, deleted_line_is_a_sequence_gap)
{
    auto lines = lines_;
    lines.erase(lines.begin() + 3);
    auto r = check(joined(lines));
    ASSERT_TRUE(r.problem);
    EXPECT_EQ(r.problem->code, audit_errc::sequence_gap);
    EXPECT_EQ(r.problem->line, 4u);
    EXPECT_EQ(r.problem->seq, 5u);
    EXPECT_THAT(r.problem->message, HasSubstr("expected seq 4 after seq 3, found seq 5"));
}

TEST_F(audit_verify, deleted_last_line_with_rechained_prefix_is_found_only_by_its_absence)
{
    // Removing the tail cannot be seen from the file alone (no later record points to it):
    // the daemon's own durable position (recover) and external copies cover that case.
    auto lines = lines_;
    lines.pop_back();
    auto r = check(joined(lines));
    EXPECT_TRUE(r.ok());
    EXPECT_EQ(r.last_seq, 8u);
}

TEST_F(audit_verify, swapped_lines_are_detected)
{
    auto lines = lines_;
    std::swap(lines[4], lines[5]);
    auto r = check(joined(lines));
    ASSERT_TRUE(r.problem);
    EXPECT_EQ(r.problem->line, 5u);
    EXPECT_EQ(r.problem->code, audit_errc::sequence_gap);
}

TEST_F(audit_verify, swapped_lines_with_renumbered_seq_fail_the_hash)
{
    auto prefixes = prefixes_of(good_);
    std::swap(prefixes[4], prefixes[5]);
    auto lines = lines_of(chain(prefixes));
    // Keep the original hashes (a forger without the chain), fix only the seq numbers.
    for (int i : {4, 5}) {
        const std::string want = fmt::format("{{\"seq\":{},", i + 1);
        lines[static_cast<std::size_t>(i)].replace(
            0, lines[static_cast<std::size_t>(i)].find(',') + 1, want);
        lines[static_cast<std::size_t>(i)].replace(
            lines[static_cast<std::size_t>(i)].size() - hash_suffix_length - 1, hash_suffix_length,
            lines_[static_cast<std::size_t>(i)].substr(lines_[static_cast<std::size_t>(i)].size() -
                                                           hash_suffix_length - 1,
                                                       hash_suffix_length));
    }
    auto r = check(joined(lines));
    ASSERT_TRUE(r.problem);
    EXPECT_EQ(r.problem->code, audit_errc::bad_hash);
    EXPECT_EQ(r.problem->line, 5u);
}

TEST_F(audit_verify, unknown_record_type_is_an_error_with_its_line)
{
    auto prefixes = prefixes_of(good_);
    prefixes[2].replace(prefixes[2].find("\"type\":\"result\""), 15, "\"type\":\"refund\"");
    auto r = check(chain(prefixes));
    ASSERT_TRUE(r.problem);
    EXPECT_EQ(r.problem->code, audit_errc::unknown_type);
    EXPECT_EQ(r.problem->line, 3u);
    EXPECT_THAT(r.problem->message, HasSubstr("unknown record type 'refund'"));
}

TEST_F(audit_verify, garbage_line_is_malformed)
{
    auto lines = lines_;
    lines.insert(lines.begin() + 2, "this is not json at all\n");
    auto r = check(joined(lines));
    ASSERT_TRUE(r.problem);
    EXPECT_EQ(r.problem->code, audit_errc::malformed_line);
    EXPECT_EQ(r.problem->line, 3u);
}

TEST_F(audit_verify, well_chained_but_invalid_json_is_malformed)
{
    auto prefixes = prefixes_of(good_);
    prefixes[1] += ",\"x\":tru";
    auto r = check(chain(prefixes));
    ASSERT_TRUE(r.problem);
    EXPECT_EQ(r.problem->code, audit_errc::malformed_line);
    EXPECT_EQ(r.problem->line, 2u);
    EXPECT_THAT(r.problem->message, HasSubstr("column"));
}

TEST_F(audit_verify, well_chained_record_missing_a_needed_field_is_malformed)
{
    auto prefixes = prefixes_of(good_);
    const auto at = prefixes[1].find(",\"payee\"");
    prefixes[1].erase(at, prefixes[1].find(",\"amount\"") - at);
    auto r = check(chain(prefixes));
    ASSERT_TRUE(r.problem);
    EXPECT_THAT(r.problem->message, HasSubstr("missing field 'payee'"));
}

TEST_F(audit_verify, full_parse_catches_what_replay_does_not_need)
{
    auto prefixes = prefixes_of(good_);
    prefixes[0] += ",\"token\":\"secret\"";
    EXPECT_TRUE(check(chain(prefixes)).ok());
    auto r = check(chain(prefixes), {.full_parse = true});
    ASSERT_TRUE(r.problem);
    EXPECT_EQ(r.problem->line, 1u);
}

TEST_F(audit_verify, huge_line_is_refused_without_reading_it_whole)
{
    auto lines = lines_;
    lines.insert(lines.begin() + 1, std::string(3 * max_line_bytes, 'A') + "\n");
    auto r = check(joined(lines));
    ASSERT_TRUE(r.problem);
    EXPECT_EQ(r.problem->code, audit_errc::line_too_long);
    EXPECT_EQ(r.problem->line, 2u);
}

TEST_F(audit_verify, empty_line_and_binary_garbage_are_malformed)
{
    auto lines = lines_;
    lines.insert(lines.begin() + 1, "\n");
    EXPECT_EQ(check(joined(lines)).problem->code, audit_errc::malformed_line);
    lines = lines_;
    lines.insert(lines.begin() + 1, std::string("\0\0\xff{\"seq\":2}\n", 13));
    EXPECT_EQ(check(joined(lines)).problem->line, 2u);
}

TEST_F(audit_verify, torn_tail_is_reported_but_not_a_problem)
{
    auto r = check(good_ + "{\"seq\":10,\"ts\"");
    EXPECT_TRUE(r.ok());
    EXPECT_EQ(r.torn_tail_bytes, 14u);
    EXPECT_EQ(r.records, 9u);
}

TEST_F(audit_verify, first_record_must_be_seq_1)
{
    auto prefixes = prefixes_of(good_);
    prefixes.erase(prefixes.begin());
    auto r = check(chain(prefixes));
    ASSERT_TRUE(r.problem);
    EXPECT_EQ(r.problem->code, audit_errc::sequence_gap);
    EXPECT_EQ(r.problem->line, 1u);
}

TEST(audit_verify_file, missing_file_is_an_error)
{
    temp_dir dir;
    auto r = verify_log(dir / "nope.jsonl");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, boost::system::errc::no_such_file_or_directory);
}

}  // namespace
