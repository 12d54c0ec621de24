#include "audit_fixtures.hpp"
#include "paymand/audit/async_audit_writer.hpp"
#include "paymand/audit/verify.hpp"
#include "support/poll.hpp"

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

using namespace paymand::audit;
using namespace paymand::audit::fixtures;
using paymand::test::temp_dir;
namespace asio = boost::asio;

namespace {

// A store whose first append waits until the test opens the gate, so that the test knows
// exactly what queues behind it.
class gated_store final : public audit_store {
public:
    explicit gated_store(file_audit_store& inner) : inner_(inner) {}

    core::result<void> lock() override { return inner_.lock(); }
    core::result<replay_report> replay(audit_projection& p) override { return inner_.replay(p); }
    core::result<append_receipt> append(std::span<const record_body> batch) override
    {
        std::unique_lock lock(mutex_);
        ++appends_;
        batch_sizes_.push_back(batch.size());
        entered_.notify_all();
        opened_.wait(lock, [&] { return open_; });
        lock.unlock();
        return inner_.append(batch);
    }
    core::result<void> recover() override { return inner_.recover(); }
    store_health health() const override { return inner_.health(); }
    std::string describe() const override { return inner_.describe(); }

    bool wait_entered()
    {
        std::unique_lock lock(mutex_);
        return entered_.wait_for(lock, std::chrono::seconds{10}, [&] { return appends_ > 0; });
    }
    void open()
    {
        std::lock_guard lock(mutex_);
        open_ = true;
        opened_.notify_all();
    }
    std::vector<std::size_t> batch_sizes()
    {
        std::lock_guard lock(mutex_);
        return batch_sizes_;
    }

private:
    file_audit_store& inner_;
    std::mutex mutex_;
    std::condition_variable entered_, opened_;
    bool open_ = false;
    int appends_ = 0;
    std::vector<std::size_t> batch_sizes_;
};

// Opens the gate when a failed assertion leaves the scope early, so the writer can stop.
struct gate_opener {
    gated_store& gate;
    ~gate_opener() { gate.open(); }
};

struct writer_fixture : ::testing::Test {
    temp_dir dir;
    file_store_params params = params_in(dir);
    file_audit_store file{params};
    audit_projection projection;

    void SetUp() override
    {
        ASSERT_TRUE(file.lock());
        ASSERT_TRUE(file.replay(projection));
    }
};

using audit_writer = writer_fixture;

TEST_F(audit_writer, concurrent_appends_share_one_fsync_while_the_previous_one_runs)
{
    constexpr std::size_t n = 20;
    auto gate_owner = std::make_unique<gated_store>(file);
    gated_store& gate = *gate_owner;
    std::vector<std::optional<core::result<append_receipt>>> results(n);
    {
        async_audit_writer writer(std::move(gate_owner));
        gate_opener opener{gate};
        asio::io_context ioc;
        for (std::size_t i = 0; i < n; ++i) {
            asio::co_spawn(
                ioc,
                [&, i]() -> asio::awaitable<void> {
                    const auto ref = occ(fmt::format("rule{}", i), 1);
                    std::vector<record_body> batch{intent(ref), result(ref)};
                    results[i] = co_await writer.async_append(std::move(batch));
                },
                asio::detached);
        }
        std::thread runner([&] { ioc.run(); });
        ASSERT_TRUE(gate.wait_entered());
        // The writer took whatever was queued when it woke (k callers); the rest queue up
        // behind the write that is "in progress".
        const std::size_t k = gate.batch_sizes().at(0) / 2;
        ASSERT_TRUE(paymand::test::eventually([&] { return writer.queued() == n - k; }));
        gate.open();
        runner.join();  // returns once every append has completed
        // Two commits (one if all n were queued before the writer woke) instead of n.
        const std::vector<std::size_t> expected =
            k == n ? std::vector<std::size_t>{2 * n} : std::vector<std::size_t>{2 * k, 2 * (n - k)};
        EXPECT_EQ(gate.batch_sizes(), expected);
        EXPECT_EQ(writer.commits(), expected.size());
        EXPECT_EQ(file.fsync_count(), expected.size());
    }

    std::set<std::uint64_t> seqs;
    for (const auto& r : results) {
        ASSERT_TRUE(r.has_value());
        ASSERT_TRUE(*r) << r->error().message;
        const auto& records = (*r)->records;
        ASSERT_EQ(records.size(), 2u);
        EXPECT_EQ(records[1].seq, records[0].seq + 1);  // one caller's records stay together
        EXPECT_EQ(type_of(records[0].body), record_type::intent);
        seqs.insert(records[0].seq);
        seqs.insert(records[1].seq);
    }
    EXPECT_EQ(seqs.size(), 2u * n);
    EXPECT_EQ(*seqs.rbegin(), 2u * n);
    auto v = verify_log(params.log_path, {.full_parse = true});
    ASSERT_TRUE(v);
    EXPECT_TRUE(v->ok());
    EXPECT_EQ(v->records, 2u * n);
}

// Group commit across occurrences: what becomes ready in one turn of the io_context (here 20
// occurrences, each busy for a millisecond before it appends) is one write and one fsync, not
// one fsync for the first and a second for the rest.
TEST_F(audit_writer, appends_made_in_one_turn_of_the_io_context_share_one_commit)
{
    constexpr std::size_t n = 20;
    auto store = std::make_unique<gated_store>(file);
    gated_store& gate = *store;
    gate.open();
    std::size_t durable = 0;
    {
        async_audit_writer writer(std::move(store));
        asio::io_context ioc;
        for (std::size_t i = 0; i < n; ++i) {
            asio::co_spawn(
                ioc,
                [&, i]() -> asio::awaitable<void> {
                    std::this_thread::sleep_for(std::chrono::milliseconds(1));
                    std::vector<record_body> batch{intent(occ(fmt::format("r{}", i), 1))};
                    auto r = co_await writer.async_append(std::move(batch));
                    if (r) ++durable;
                },
                asio::detached);
        }
        ioc.run();
        EXPECT_EQ(writer.commits(), 1u);
        EXPECT_EQ(gate.batch_sizes(), std::vector<std::size_t>{n});
    }
    EXPECT_EQ(durable, n);
    EXPECT_EQ(file.fsync_count(), 1u);
}

TEST_F(audit_writer, many_threads_appending_get_durable_distinct_records)
{
    constexpr int threads = 4, each = 25;
    auto store = std::make_unique<gated_store>(file);
    store->open();
    std::atomic<int> ok{0};
    {
        async_audit_writer writer(std::move(store));
        asio::io_context ioc;
        auto guard = asio::make_work_guard(ioc);
        std::thread runner([&] { ioc.run(); });
        std::vector<std::thread> producers;
        std::atomic<int> done{0};
        for (int t = 0; t < threads; ++t) {
            producers.emplace_back([&, t] {
                for (int i = 0; i < each; ++i) {
                    writer.async_append(
                        {intent(occ(fmt::format("t{}", t), 1 + i))},
                        asio::bind_executor(ioc, [&](core::result<append_receipt> r) {
                            if (r && r->records.size() == 1) ++ok;
                            ++done;
                        }));
                }
            });
        }
        for (auto& p : producers) p.join();
        ASSERT_TRUE(paymand::test::eventually([&] { return done == threads * each; }));
        guard.reset();
        runner.join();
        EXPECT_LE(writer.commits(), static_cast<std::uint64_t>(threads * each));
    }
    EXPECT_EQ(ok, threads * each);
    auto v = verify_log(params.log_path);
    ASSERT_TRUE(v);
    EXPECT_TRUE(v->ok());
    EXPECT_EQ(v->records, static_cast<std::uint64_t>(threads * each));
}

TEST_F(audit_writer, one_invalid_batch_does_not_sink_the_others_in_its_group)
{
    auto gate_owner = std::make_unique<gated_store>(file);
    gated_store& gate = *gate_owner;
    asio::io_context ioc;
    std::vector<core::result<append_receipt>> results;
    {
        async_audit_writer writer(std::move(gate_owner));
        gate_opener opener{gate};
        auto collect = asio::bind_executor(
            ioc, [&](core::result<append_receipt> r) { results.push_back(std::move(r)); });
        writer.async_append({started_record{"0.1.0", 1}}, collect);
        ASSERT_TRUE(gate.wait_entered());
        writer.async_append({intent(occ("a", 1))}, collect);
        writer.async_append({intent(occ("b", 1), 100, "bad\xff")}, collect);
        writer.async_append({intent(occ("c", 1))}, collect);
        ASSERT_TRUE(paymand::test::eventually([&] { return writer.queued() == 3; }));
        gate.open();
    }  // the destructor writes everything queued first (the gate goes with it)
    ioc.run();
    ASSERT_EQ(results.size(), 4u);
    int failed = 0;
    for (const auto& r : results) {
        if (!r) {
            ++failed;
            EXPECT_EQ(r.error().code, audit_errc::record_invalid);
        }
    }
    EXPECT_EQ(failed, 1);
    auto v = verify_log(params.log_path);
    EXPECT_EQ(v->records, 3u);
}

TEST(audit_writer_errors, a_corrupt_store_fails_every_append)
{
    temp_dir dir;
    const auto p = params_in(dir);
    write_file(p.log_path, "garbage\n");
    auto store = std::make_unique<file_audit_store>(p);
    ASSERT_TRUE(store->lock());
    audit_projection projection;
    ASSERT_TRUE(store->replay(projection));
    async_audit_writer writer(std::move(store));
    EXPECT_EQ(writer.health(), store_health::corrupt);
    asio::io_context ioc;
    std::optional<core::result<append_receipt>> got;
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
            std::vector<record_body> batch{started_record{"0.1.0", 1}};
            got = co_await writer.async_append(std::move(batch));
        },
        asio::detached);
    ioc.run();
    ASSERT_TRUE(got.has_value());
    ASSERT_FALSE(*got);
    EXPECT_EQ(got->error().code, audit_errc::corrupt);
    EXPECT_EQ(read_file(p.log_path), "garbage\n");
}

}  // namespace
