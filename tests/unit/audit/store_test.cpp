#include "audit_fixtures.hpp"
#include "paymand/audit/file_audit_store.hpp"
#include "paymand/audit/verify.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>

using namespace paymand::audit;
using namespace paymand::audit::fixtures;
using paymand::test::temp_dir;
using ::testing::HasSubstr;

namespace {

verify_report verified(const std::filesystem::path& p)
{
    auto r = verify_log(p, {.full_parse = true});
    EXPECT_TRUE(r) << (r ? "" : r.error().message);
    return r ? *r : verify_report{};
}

}  // namespace

TEST(audit_store, creates_the_log_and_chains_sequential_records)
{
    temp_dir dir;
    const auto p = params_in(dir);
    audit_projection projection;
    replay_report report;
    auto store = open_store(p, projection, &report);
    EXPECT_TRUE(report.created);
    EXPECT_EQ(report.records, 0u);

    const auto ref = occ("rent", 1);
    auto first = store->append(std::vector<record_body>{started_record{"0.1.0", 1}});
    ASSERT_TRUE(first);
    auto second = store->append(std::vector<record_body>{intent(ref), result(ref)});
    ASSERT_TRUE(second);
    EXPECT_EQ(first->records[0].seq, 1u);
    EXPECT_EQ(second->records[0].seq, 2u);
    EXPECT_EQ(second->records[1].seq, 3u);
    // One moment, one time stamp, one fsync.
    EXPECT_EQ(second->records[0].ts, second->records[1].ts);
    EXPECT_EQ(store->fsync_count(), 2u);

    const auto v = verified(p.log_path);
    EXPECT_TRUE(v.ok());
    EXPECT_EQ(v.records, 3u);
    EXPECT_EQ(v.last_seq, 3u);
    EXPECT_EQ(lines_of(read_file(p.log_path)).size(), 3u);
    struct stat st {};
    ASSERT_EQ(::stat(p.log_path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(audit_store, replay_continues_the_chain_after_reopening)
{
    temp_dir dir;
    const auto p = params_in(dir);
    write_log(p, 5);
    {
        audit_projection projection;
        auto store = open_store(p, projection);
        auto r = store->append(std::vector<record_body>{stopped_record{"SIGTERM", 0}});
        ASSERT_TRUE(r);
        EXPECT_EQ(r->records[0].seq, 12u);
    }
    const auto v = verified(p.log_path);
    EXPECT_TRUE(v.ok());
    EXPECT_EQ(v.last_seq, 12u);
}

TEST(audit_store, dry_run_store_marks_every_record)
{
    temp_dir dir;
    auto p = params_in(dir);
    p.dry_run = true;
    audit_projection projection;
    auto store = open_store(p, projection);
    ASSERT_TRUE(store->append(std::vector<record_body>{intent(occ("rent", 1))}));
    EXPECT_THAT(read_file(p.log_path), HasSubstr(R"("type":"intent","dry_run":true,)"));
}

TEST(audit_store, torn_final_line_is_cut_exactly_and_nothing_else)
{
    temp_dir dir;
    const auto p = params_in(dir);
    write_log(p, 3);
    const std::string good = read_file(p.log_path);
    // A crash in the middle of writing the next record.
    const std::string torn = R"({"seq":8,"ts":"2026-12-01T00:00:00.000009Z","type":"inte)";
    write_file(p.log_path, good + torn);

    audit_projection projection;
    replay_report report;
    auto store = open_store(p, projection, &report);
    ASSERT_TRUE(report.torn_tail);
    EXPECT_EQ(report.torn_tail->offset, good.size());
    EXPECT_EQ(report.torn_tail->bytes, torn.size());
    EXPECT_FALSE(report.corruption);
    EXPECT_EQ(report.records, 7u);
    EXPECT_EQ(read_file(p.log_path), good);
    EXPECT_EQ(store->health(), store_health::ok);
    auto next = store->append(std::vector<record_body>{stopped_record{"SIGTERM", 0}});
    ASSERT_TRUE(next);
    EXPECT_EQ(next->records[0].seq, 8u);
    EXPECT_TRUE(verified(p.log_path).ok());
}

TEST(audit_store, complete_last_line_without_newline_is_also_torn)
{
    temp_dir dir;
    const auto p = params_in(dir);
    write_log(p, 2);
    std::string content = read_file(p.log_path);
    const std::size_t last_start = content.rfind('\n', content.size() - 2) + 1;
    content.pop_back();  // the write stopped one byte short
    write_file(p.log_path, content);

    audit_projection projection;
    replay_report report;
    auto store = open_store(p, projection, &report);
    ASSERT_TRUE(report.torn_tail);
    EXPECT_EQ(report.torn_tail->offset, last_start);
    EXPECT_EQ(report.records, 4u);
    EXPECT_EQ(read_file(p.log_path), content.substr(0, last_start));
}

TEST(audit_store, corruption_in_the_middle_opens_corrupt_and_refuses_appends)
{
    temp_dir dir;
    const auto p = params_in(dir);
    write_log(p, 3);
    std::string content = read_file(p.log_path);
    const auto lines = lines_of(content);
    const std::size_t at = lines[0].size() + lines[1].size() + lines[2].size() + 40;
    content[at] = content[at] == 'x' ? 'y' : 'x';
    write_file(p.log_path, content);
    const std::string before = read_file(p.log_path);

    audit_projection projection;
    replay_report report;
    auto store = open_store(p, projection, &report);
    ASSERT_TRUE(report.corruption);
    EXPECT_EQ(report.corruption->line, 4u);
    EXPECT_EQ(report.corruption->seq, 4u);
    EXPECT_EQ(report.corruption->code, audit_errc::bad_hash);
    EXPECT_THAT(report.corruption->message, HasSubstr("line 4 (seq 4)"));
    EXPECT_EQ(report.records, 3u);  // the good prefix was applied
    EXPECT_EQ(store->health(), store_health::corrupt);

    auto refused = store->append(std::vector<record_body>{stopped_record{"x", 0}});
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, audit_errc::corrupt);
    EXPECT_FALSE(store->recover());
    EXPECT_EQ(read_file(p.log_path), before);  // never repaired, never appended to
}

TEST(audit_store, lock_is_exclusive_and_names_the_holder)
{
    temp_dir dir;
    const auto p = params_in(dir);
    file_audit_store first(p);
    ASSERT_TRUE(first.lock());
    file_audit_store second(p);
    auto refused = second.lock();
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, audit_errc::locked);
    EXPECT_THAT(refused.error().message, HasSubstr((dir / "audit.jsonl.lock").string()));
    EXPECT_THAT(refused.error().message, HasSubstr(fmt::format("process {}", ::getpid())));
    audit_projection projection;
    auto replay = second.replay(projection);
    ASSERT_FALSE(replay);
    EXPECT_EQ(replay.error().code, audit_errc::not_locked);
}

TEST(audit_store, lock_is_released_with_the_store)
{
    temp_dir dir;
    const auto p = params_in(dir);
    {
        file_audit_store first(p);
        ASSERT_TRUE(first.lock());
    }
    file_audit_store second(p);
    EXPECT_TRUE(second.lock());
}

TEST(audit_store, lock_held_by_another_process_is_refused)
{
    temp_dir dir;
    const auto p = params_in(dir);
    int ready[2];
    int release[2];
    ASSERT_EQ(::pipe(ready), 0);
    ASSERT_EQ(::pipe(release), 0);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        file_audit_store holder(p);
        const char ok = holder.lock() ? '1' : '0';
        [[maybe_unused]] auto w = ::write(ready[1], &ok, 1);
        char c;
        [[maybe_unused]] auto r = ::read(release[0], &c, 1);
        ::_exit(0);
    }
    char ok = 0;
    ASSERT_EQ(::read(ready[0], &ok, 1), 1);
    ASSERT_EQ(ok, '1');
    file_audit_store second(p);
    auto refused = second.lock();
    const char go = 'x';
    ASSERT_EQ(::write(release[1], &go, 1), 1);
    int status = 0;
    ::waitpid(child, &status, 0);
    ASSERT_FALSE(refused);
    EXPECT_THAT(refused.error().message, HasSubstr(fmt::format("process {}", child)));
    EXPECT_TRUE(second.lock());  // the holder is gone
    for (int fd : {ready[0], ready[1], release[0], release[1]}) ::close(fd);
}

TEST(audit_store, append_before_replay_is_refused)
{
    temp_dir dir;
    file_audit_store store(params_in(dir));
    auto r = store.append(std::vector<record_body>{started_record{"0.1.0", 1}});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, audit_errc::not_locked);
    ASSERT_TRUE(store.lock());
    r = store.append(std::vector<record_body>{started_record{"0.1.0", 1}});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, audit_errc::not_replayed);
}

TEST(audit_store, invalid_record_writes_nothing_and_keeps_the_store_healthy)
{
    temp_dir dir;
    const auto p = params_in(dir);
    audit_projection projection;
    auto store = open_store(p, projection);
    auto bad = intent(occ("rent", 1), 100, "bad\xc0");
    auto r = store->append(std::vector<record_body>{started_record{"0.1.0", 1}, bad});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, audit_errc::record_invalid);
    EXPECT_EQ(read_file(p.log_path), "");
    EXPECT_EQ(store->health(), store_health::ok);
    EXPECT_TRUE(store->append(std::vector<record_body>{started_record{"0.1.0", 1}}));
}

// RLIMIT_FSIZE makes the write fail part-way (EFBIG, like a full disk). In a child process, so
// the limit and the ignored SIGXFSZ stay there. Exit codes say which step failed.
TEST(audit_store, failed_write_leaves_log_verifiable_and_recovers_when_writing_works)
{
    temp_dir dir;
    const auto p = params_in(dir);
    write_log(p, 2);
    const std::string before = read_file(p.log_path);

    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        std::signal(SIGXFSZ, SIG_IGN);
        audit_projection projection;
        file_audit_store store(p);
        if (!store.lock() || !store.replay(projection)) ::_exit(10);
        rlimit limit{};
        ::getrlimit(RLIMIT_FSIZE, &limit);
        const rlimit saved = limit;
        limit.rlim_cur = before.size() + 100;  // room for part of the batch only
        if (::setrlimit(RLIMIT_FSIZE, &limit) != 0) ::_exit(11);
        std::vector<record_body> batch;
        for (int i = 0; i < 5; ++i) batch.push_back(intent(occ("gym", 10 + i)));
        auto failed = store.append(batch);
        if (failed || failed.error().code != boost::system::errc::file_too_large) ::_exit(12);
        if (store.health() != store_health::needs_recovery) ::_exit(13);
        // The write got part-way: those bytes are a torn tail, never acknowledged.
        if (std::filesystem::file_size(p.log_path) != before.size() + 100) ::_exit(18);
        if (verify_log(p.log_path)->torn_tail_bytes != 100) ::_exit(19);
        // Still unwritable: refused, log unchanged beyond the partial bytes.
        if (store.append(std::vector<record_body>{stopped_record{"x", 0}})) ::_exit(14);
        if (!verify_log(p.log_path)->ok()) ::_exit(15);
        ::setrlimit(RLIMIT_FSIZE, &saved);
        auto ok = store.append(batch);
        if (!ok || ok->records.front().seq != 6) ::_exit(16);
        if (store.health() != store_health::ok) ::_exit(17);
        // Again, so that recovery re-verifies a tail written by append (not by replay).
        limit.rlim_cur = std::filesystem::file_size(p.log_path) + 10;
        if (::setrlimit(RLIMIT_FSIZE, &limit) != 0) ::_exit(20);
        if (store.append(batch)) ::_exit(21);
        ::setrlimit(RLIMIT_FSIZE, &saved);
        if (!store.recover() || store.health() != store_health::ok) ::_exit(22);
        ::_exit(0);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    ASSERT_EQ(WEXITSTATUS(status), 0);

    const auto v = verified(p.log_path);
    EXPECT_TRUE(v.ok());
    EXPECT_EQ(v.torn_tail_bytes, 0u);
    EXPECT_EQ(v.last_seq, 10u);  // the second failed batch left nothing behind
    EXPECT_EQ(read_file(p.log_path).substr(0, before.size()), before);
}

TEST(audit_store, removed_log_is_detected_and_appends_stay_refused)
{
    temp_dir dir;
    const auto state = dir / "state";
    std::filesystem::create_directory(state);
    file_store_params p{.log_path = state / "audit.jsonl", .lock_path = dir / "paymand.lock"};
    audit_projection projection;
    auto store = open_store(p, projection);
    ASSERT_TRUE(store->append(std::vector<record_body>{started_record{"0.1.0", 1}}));

    std::filesystem::remove_all(state);
    auto r = store->append(std::vector<record_body>{intent(occ("rent", 1))});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, audit_errc::log_removed);
    EXPECT_EQ(store->health(), store_health::needs_recovery);

    // A new, empty file at the same place is not our log: still refused.
    std::filesystem::create_directory(state);
    write_file(p.log_path, "");
    auto again = store->append(std::vector<record_body>{intent(occ("rent", 1))});
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, audit_errc::log_removed);
    EXPECT_EQ(read_file(p.log_path), "");
}

TEST(audit_store, truncated_log_under_a_failed_store_becomes_corrupt)
{
    temp_dir dir;
    const auto p = params_in(dir);
    audit_projection projection;
    auto store = open_store(p, projection);
    ASSERT_TRUE(store->append(std::vector<record_body>{started_record{"0.1.0", 1}}));
    ASSERT_TRUE(store->append(std::vector<record_body>{stopped_record{"x", 0}}));
    // Simulate a failed append, then someone cuts the file.
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        std::signal(SIGXFSZ, SIG_IGN);
        rlimit limit{0, RLIM_INFINITY};
        ::setrlimit(RLIMIT_FSIZE, &limit);
        auto failed = store->append(std::vector<record_body>{stopped_record{"y", 0}});
        if (failed) ::_exit(1);
        ::truncate(p.log_path.c_str(), 10);
        auto r = store->recover();
        ::_exit(!r && r.error().code == audit_errc::log_truncated &&
                        store->health() == store_health::corrupt
                    ? 0
                    : 2);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);
}
