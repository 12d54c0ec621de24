#include "audit_fixtures.hpp"
#include "paymand/audit/reader.hpp"
#include "paymand/audit/resolution.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

using namespace paymand::audit;
using namespace paymand::audit::fixtures;
using paymand::test::temp_dir;
using ::testing::HasSubstr;

TEST(audit_reader, reads_typed_records_and_then_only_new_ones)
{
    temp_dir dir;
    const auto p = params_in(dir);
    audit_projection projection;
    auto store = open_store(p, projection);
    ASSERT_TRUE(store->append(std::vector<record_body>{started_record{"0.1.0", 1}}));

    auto reader = audit_reader::open(p.log_path);
    ASSERT_TRUE(reader);
    auto first = reader->read_new();
    ASSERT_TRUE(first);
    ASSERT_EQ(first->size(), 1u);
    EXPECT_EQ(std::get<started_record>((*first)[0].body).pid, 1);
    EXPECT_TRUE(reader->read_new()->empty());

    const auto ref = occ("rent", 1);
    ASSERT_TRUE(store->append(std::vector<record_body>{intent(ref), result(ref)}));
    auto second = reader->read_new();
    ASSERT_TRUE(second);
    ASSERT_EQ(second->size(), 2u);
    EXPECT_EQ((*second)[0].seq, 2u);
    EXPECT_EQ(std::get<intent_record>((*second)[0].body), intent(ref));
    EXPECT_EQ(reader->last_seq(), 3u);
}

TEST(audit_reader, leaves_a_line_still_being_written_for_the_next_read)
{
    temp_dir dir;
    const auto p = params_in(dir);
    write_log(p, 1);  // 3 records
    const std::string content = read_file(p.log_path);
    const auto lines = lines_of(content);
    write_file(p.log_path, lines[0] + lines[1] + lines[2].substr(0, 30));

    auto reader = audit_reader::open(p.log_path);
    ASSERT_TRUE(reader);
    EXPECT_EQ(reader->read_new()->size(), 2u);
    EXPECT_TRUE(reader->read_new()->empty());
    write_file(p.log_path, content);
    auto rest = reader->read_new();
    ASSERT_TRUE(rest);
    ASSERT_EQ(rest->size(), 1u);
    EXPECT_EQ((*rest)[0].seq, 3u);
}

TEST(audit_reader, seek_last_returns_only_the_last_records_with_the_chain_checked)
{
    temp_dir dir;
    const auto p = params_in(dir);
    write_log(p, 10);  // 21 records
    auto reader = audit_reader::open(p.log_path);
    ASSERT_TRUE(reader);
    ASSERT_TRUE(reader->seek_last(5));
    auto tail = reader->read_new();
    ASSERT_TRUE(tail);
    ASSERT_EQ(tail->size(), 5u);
    EXPECT_EQ(tail->front().seq, 17u);
    EXPECT_EQ(tail->back().seq, 21u);

    ASSERT_TRUE(reader->seek_last(100));
    EXPECT_EQ(reader->read_new()->size(), 21u);
    ASSERT_TRUE(reader->seek_last(0));
    EXPECT_TRUE(reader->read_new()->empty());
}

TEST(audit_reader, bad_record_is_an_error_naming_it)
{
    temp_dir dir;
    const auto p = params_in(dir);
    write_log(p, 2);
    auto lines = lines_of(read_file(p.log_path));
    std::swap(lines[1], lines[2]);
    write_file(p.log_path, lines[0] + lines[1] + lines[2] + lines[3] + lines[4]);
    auto reader = audit_reader::open(p.log_path);
    ASSERT_TRUE(reader);
    auto r = reader->read_new();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, audit_errc::sequence_gap);
    EXPECT_THAT(r.error().message, HasSubstr("line 2 (seq 3)"));
    EXPECT_FALSE(reader->seek_last(1));
}

TEST(audit_reader, read_to_end_visits_every_record_in_order_and_stops_at_a_bad_one)
{
    temp_dir dir;
    const auto p = params_in(dir);
    write_log(p, 10);  // 21 records
    auto reader = audit_reader::open(p.log_path);
    ASSERT_TRUE(reader);
    std::vector<std::uint64_t> seqs;
    auto all = reader->read_to_end([&](const record& r) { seqs.push_back(r.seq); });
    ASSERT_TRUE(all);
    EXPECT_EQ(*all, 21u);
    ASSERT_EQ(seqs.size(), 21u);
    for (std::size_t i = 0; i < seqs.size(); ++i) EXPECT_EQ(seqs[i], i + 1);
    EXPECT_EQ(*reader->read_to_end([](const record&) {}), 0u);

    auto lines = lines_of(read_file(p.log_path));
    std::swap(lines[1], lines[2]);
    std::string broken;
    for (const auto& l : lines) broken += l;
    write_file(p.log_path, broken);
    auto again = audit_reader::open(p.log_path);
    ASSERT_TRUE(again);
    seqs.clear();
    auto bad = again->read_to_end([&](const record& r) { seqs.push_back(r.seq); });
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, audit_errc::sequence_gap);
    EXPECT_TRUE(seqs.empty()) << "the bad record's batch is not visited";
}

TEST(audit_resolution, resolves_an_in_doubt_occurrence_durably)
{
    temp_dir dir;
    const auto p = params_in(dir);
    const auto ref = occ("rent", 1);
    {
        audit_projection projection;
        auto store = open_store(p, projection);
        ASSERT_TRUE(store->append(std::vector<record_body>{intent(ref)}));
    }  // "crash": no result
    audit_projection projection;
    auto store = open_store(p, projection);
    ASSERT_EQ(projection.find(ref.occurrence)->state, occurrence_state::in_doubt);

    auto r = append_resolution(*store, projection,
                               {ref.occurrence, resolution::not_paid, "not in the dashboard"});
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->seq, 2u);
    const auto& resolved = std::get<resolved_record>(r->body);
    EXPECT_EQ(resolved.ref, ref);  // rule and instant come from the log
    EXPECT_EQ(projection.find(ref.occurrence)->state, occurrence_state::resolved_not_paid);
    EXPECT_TRUE(projection.spending().empty());

    store.reset();  // releases the lock
    audit_projection again;
    auto reopened = open_store(p, again);
    EXPECT_EQ(again.find(ref.occurrence)->state, occurrence_state::resolved_not_paid);
}

TEST(audit_resolution, refuses_unknown_settled_occurrences_and_bad_notes)
{
    audit_projection projection;
    const auto paid = occ("rent", 1), doubt = occ("rent", 2);
    projection.apply(record{.seq = 1, .body = intent(paid)});
    projection.apply(record{.seq = 2, .body = result(paid)});
    projection.apply(record{.seq = 3, .body = intent(doubt)});
    projection.finish_replay();

    auto unknown = make_resolution(projection, {"nope@2026-12-01T09:00", resolution::paid, "x"});
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error().code, audit_errc::not_found);
    auto settled = make_resolution(projection, {paid.occurrence, resolution::paid, "x"});
    ASSERT_FALSE(settled);
    EXPECT_EQ(settled.error().code, audit_errc::not_in_doubt);
    EXPECT_THAT(settled.error().message, HasSubstr("completed"));
    for (const std::string& note : {std::string(), std::string("two\nlines"),
                                    std::string(max_note_bytes + 1, 'n'), std::string("\xff")}) {
        auto bad = make_resolution(projection, {doubt.occurrence, resolution::paid, note});
        ASSERT_FALSE(bad);
        EXPECT_EQ(bad.error().code, audit_errc::record_invalid);
    }
    EXPECT_TRUE(make_resolution(projection, {doubt.occurrence, resolution::paid, "seen: tx 9"}));
}
