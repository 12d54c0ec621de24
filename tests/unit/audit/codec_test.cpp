#include "audit_fixtures.hpp"
#include "paymand/audit/codec.hpp"
#include "paymand/audit/hash_chain.hpp"
#include "paymand/audit/time_format.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>

using namespace paymand::audit;
using namespace paymand::audit::fixtures;
using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::StartsWith;

namespace {

std::vector<record_body> one_of_each()
{
    const auto ref = occ("rent-john", 1);
    return {
        intent(ref),
        result(ref),
        skipped_record{ref, "condition not met: balance of Main 50.00 TSD is not above 100.00"},
        denied_record{ref, "daily_total.TSD", "would reach 600.00 TSD; the daily limit is 500.00"},
        missed_record{ref, "older than the catch-up window of 72h"},
        missed_record{ref, "3 occurrences from A to B were missed", "rent-john@2026-12-03T09:00"},
        failed_record{ref, "connect: connection refused", 4},
        in_doubt_record{ref, "timeout while waiting for the reply"},
        resolved_record{ref, resolution::paid, "checked the Payman dashboard"},
        reconciled_record{ref, reconcile_outcome::paid, "tx-77", "pm:rent-john:20261201T0900"},
        mismatch_record{ref, "1000.00", "Jon Doe", "the reply names another amount and payee",
                        "Sent 1000.00 TSD to Jon Doe"},
        condition_record{ref, "balance of Main above 100.00 TSD", "Main", tsd(-512), std::nullopt,
                         false},
        condition_record{ref, "balance of Main above 100.00 TSD", "Main", std::nullopt,
                         "two different balances in the reply", false},
        report_record{ref, report_kind::balance, outcome::completed, "task-9",
                      "Your TSD wallet balance is 1,234.56 TSD"},
        config_loaded_record{"/etc/paymand/paymand.yaml", std::string(64, 'a')},
        rules_loaded_record{{{"rent-john", std::string(64, 'b')}, {"gym", std::string(64, 'c')}}},
        started_record{"0.1.0", 1234},
        stopped_record{"SIGTERM", 1},
        confirmed_record{ref, 2,
                         "2026-12-01 - Sent 1200.00 TSD to John Doe - pm:rent-john:20261201T0900"},
        unconfirmed_record{ref, 3, "not in any of the 3 listings read"},
        grant_record{grant_event::made, "pm-test-client", "read_balance,write_send_payment",
                     utc_seconds{at(1)} + std::chrono::hours(1), 0, std::nullopt},
        grant_record{grant_event::rotated, "pm-test-client", "write_send_payment",
                     utc_seconds{at(2)}, 7, std::nullopt},
        grant_record{grant_event::refused, "pm-test-client", "", std::nullopt, 8,
                     "the refresh token was refused (invalid_grant)"},
        grant_record{grant_event::removed, "pm-test-client", "", std::nullopt, 8,
                     "paymand auth logout"},
        reopened_record{ref, "closed here without a request; the shared ledger released it"},
    };
}

std::string sha256_hex(std::string_view data)
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr);
    std::string out;
    for (unsigned int i = 0; i < len; ++i) out += fmt::format("{:02x}", digest[i]);
    return out;
}

}  // namespace

TEST(audit_codec, every_record_type_round_trips_through_its_line)
{
    std::uint64_t seq = 1;
    for (const auto& body : one_of_each()) {
        record r{.seq = seq++,
                 .ts = utc_micros{at(1)} + std::chrono::microseconds{7},
                 .dry_run = seq % 2 == 0,
                 .body = body};
        auto line = format_line(r, genesis_hash);
        ASSERT_TRUE(line) << line.error().message;
        ASSERT_THAT(*line, EndsWith("\"}\n"));
        auto back = parse_line(std::string_view(*line).substr(0, line->size() - 1));
        ASSERT_TRUE(back) << back.error().message << "\n" << *line;
        EXPECT_EQ(*back, r) << *line;
    }
}

// A grant record has no place for a token: a line that carries one is not a grant record.
TEST(audit_codec, a_grant_line_with_a_token_field_is_refused)
{
    record r{.seq = 1,
             .ts = utc_micros{at(1)},
             .body = grant_record{grant_event::made, "c", "read_balance", std::nullopt, 0,
                                  std::nullopt}};
    auto line = format_line(r, genesis_hash);
    ASSERT_TRUE(line);
    std::string text = *line;
    text.insert(text.find("\"rotation\""), "\"refresh_token\":\"pmrt_x\",");
    EXPECT_FALSE(parse_line(std::string_view(text).substr(0, text.size() - 1)));
}

TEST(audit_codec, line_starts_with_seq_ts_type_and_ends_with_hash)
{
    record r{.seq = 12,
             .ts = utc_micros{at(1)} + std::chrono::microseconds{123},
             .dry_run = true,
             .body = intent(occ("rent-john", 1))};
    auto line = format_line(r, genesis_hash);
    ASSERT_TRUE(line);
    EXPECT_THAT(*line, StartsWith(R"({"seq":12,"ts":"2026-12-01T09:00:00.000123Z","type":"intent",)"
                                  R"("dry_run":true,"rule":"rent-john",)"
                                  R"("occurrence":"rent-john@2026-12-01T09:00",)"
                                  R"("utc":"2026-12-01T09:00:00Z","payee":"John Doe",)"
                                  R"("amount":"100.00","currency":"TSD",)"));
    EXPECT_THAT(*line, HasSubstr(",\"hash\":\"" + r.hash + "\"}\n"));
}

TEST(audit_codec, hash_is_sha256_of_previous_hash_and_line_prefix)
{
    record r{.seq = 1, .ts = utc_micros{at(1)}, .body = started_record{"0.1.0", 7}};
    const std::string prev(64, 'f');
    auto line = format_line(r, prev);
    ASSERT_TRUE(line);
    const std::string prefix = line->substr(0, line->size() - 1 - hash_suffix_length);
    EXPECT_EQ(r.hash, sha256_hex(prev + prefix));
    auto parts = split_line(std::string_view(*line).substr(0, line->size() - 1));
    ASSERT_TRUE(parts);
    EXPECT_EQ(parts->prefix, prefix);
    EXPECT_EQ(parts->hash, r.hash);
}

TEST(audit_codec, text_that_is_not_utf8_is_refused)
{
    auto ref = occ("rent", 1);
    auto bad = intent(ref, 100, "Jo\xff");
    record r{.seq = 1, .body = bad};
    auto line = format_line(r, genesis_hash);
    ASSERT_FALSE(line);
    EXPECT_EQ(line.error().code, audit_errc::record_invalid);
    EXPECT_THAT(line.error().message, HasSubstr("payee"));
}

TEST(audit_codec, excerpt_over_cap_is_refused_and_make_excerpt_fits_it)
{
    auto r0 = result(occ("rent", 1));
    r0.excerpt = std::string(max_excerpt_bytes + 1, 'x');
    record r{.seq = 1, .body = r0};
    EXPECT_FALSE(format_line(r, genesis_hash));

    const std::string long_reply = std::string(5000, 'y') + "\xe2\x82\xac";
    const std::string cut = make_excerpt(long_reply);
    EXPECT_LE(cut.size(), max_excerpt_bytes);
    EXPECT_THAT(cut, EndsWith("\xE2\x80\xA6"));
    r0.excerpt = cut;
    r.body = r0;
    EXPECT_TRUE(format_line(r, genesis_hash));
}

TEST(audit_codec, make_excerpt_sanitises_untrusted_text)
{
    EXPECT_EQ(make_excerpt("ok\x01\x1b[31m\xff end"), "ok[31m\xEF\xBF\xBD end");
    EXPECT_EQ(make_excerpt("line1\nline2\tx"), "line1\nline2\tx");
    // A cut never splits a character.
    const std::string euros = "\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac";  // 4 x 3 bytes
    EXPECT_EQ(make_excerpt(euros, 10), "\xe2\x82\xac\xe2\x82\xac\xE2\x80\xA6");
    EXPECT_EQ(make_excerpt(euros, 12), euros);
}

TEST(audit_codec, record_larger_than_a_line_is_refused)
{
    auto i = intent(occ("rent", 1));
    i.prompt = std::string(max_line_bytes, 'p');
    record r{.seq = 1, .body = i};
    auto line = format_line(r, genesis_hash);
    ASSERT_FALSE(line);
    EXPECT_EQ(line.error().code, audit_errc::record_invalid);
}

TEST(audit_codec, unknown_type_unknown_key_and_missing_key_are_errors)
{
    record r{.seq = 1, .body = started_record{"0.1.0", 1}};
    std::string line = *format_line(r, genesis_hash);
    line.pop_back();

    std::string unknown_type = line;
    unknown_type.replace(unknown_type.find("started"), 7, "startex");
    auto a = parse_line(unknown_type);
    ASSERT_FALSE(a);
    EXPECT_EQ(a.error().code, audit_errc::unknown_type);

    std::string extra = line;
    extra.insert(extra.find(",\"hash\""), R"(,"token":"abc")");
    auto b = parse_line(extra);
    ASSERT_FALSE(b);
    EXPECT_EQ(b.error().code, audit_errc::malformed_line);

    std::string missing = line;
    missing.erase(missing.find(",\"pid\""), std::string(",\"pid\":1").size());
    auto c = parse_line(missing);
    ASSERT_FALSE(c);
    EXPECT_THAT(c.error().message, HasSubstr("missing field 'pid'"));
}

TEST(audit_codec, duplicate_keys_and_reordered_header_are_malformed)
{
    record r{.seq = 1, .body = started_record{"0.1.0", 1}};
    std::string line = *format_line(r, genesis_hash);
    line.pop_back();
    std::string dup = line;
    dup.insert(dup.find(",\"hash\""), R"(,"pid":2)");
    EXPECT_FALSE(parse_line(dup));
    std::string swapped =
        R"({"ts":"2026-12-01T09:00:00.000000Z","seq":1)" + line.substr(line.find(",\"type\""));
    EXPECT_FALSE(parse_line(swapped));
}

TEST(audit_codec, amounts_are_exact_decimal_strings)
{
    auto i = intent(occ("rent", 1), 1);  // 0.01
    record r{.seq = 1, .body = i};
    auto line = format_line(r, genesis_hash);
    ASSERT_TRUE(line);
    EXPECT_THAT(*line, HasSubstr(R"("amount":"0.01","currency":"TSD")"));
    std::string bad = line->substr(0, line->size() - 1);
    bad.replace(bad.find("\"0.01\""), 6, "\"0.011\"");
    EXPECT_FALSE(parse_line(bad));
}

TEST(audit_time, formats_and_parses_strictly)
{
    const utc_micros t = utc_micros{at(31, 23)} + std::chrono::microseconds{999'999};
    EXPECT_EQ(format_ts(t), "2026-12-31T23:00:00.999999Z");
    EXPECT_EQ(parse_ts("2026-12-31T23:00:00.999999Z"), t);
    EXPECT_EQ(format_utc(at(1)), "2026-12-01T09:00:00Z");
    EXPECT_EQ(parse_utc("2026-12-01T09:00:00Z"), at(1));
    EXPECT_FALSE(parse_utc("2026-02-29T09:00:00Z"));
    EXPECT_FALSE(parse_utc("2026-12-01T24:00:00Z"));
    EXPECT_FALSE(parse_utc("2026-12-01 09:00:00Z"));
    EXPECT_FALSE(parse_utc("2026-12-01T09:00:00+00:00"));
    EXPECT_FALSE(parse_ts("2026-12-01T09:00:00.12345Z"));
    EXPECT_TRUE(parse_utc("2028-02-29T00:00:00Z"));
}

TEST(audit_codec, records_replay_would_refuse_are_never_written)
{
    auto zero = intent(occ("rent", 1), 0);
    record a{.seq = 1, .body = zero};
    auto line = format_line(a, genesis_hash);
    ASSERT_FALSE(line);
    EXPECT_EQ(line.error().code, audit_errc::record_invalid);

    auto anonymous = skipped_record{occ("rent", 1), "x"};
    anonymous.ref.occurrence.clear();
    record b{.seq = 1, .body = anonymous};
    EXPECT_FALSE(format_line(b, genesis_hash));
}
