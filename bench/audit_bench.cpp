// Audit log figures: append throughput with and without group commit, and replay and verify
// of 100k and 1M records against a plain SHA-256 of the same file (the hash chain's floor, what
// `sha256sum` does). Log files are generated once per size in a temporary directory.

#include "audit_records.hpp"
#include "paymand/audit/async_audit_writer.hpp"
#include "paymand/audit/file_audit_store.hpp"
#include "paymand/audit/projection.hpp"
#include "paymand/audit/verify.hpp"
#include "paymand/money/currency.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <vector>

namespace {

using paymand::bench::occurrence_records;

namespace audit = paymand::audit;
namespace asio = boost::asio;

class bench_dir {
public:
    bench_dir()
    {
        std::string tmpl = (std::filesystem::temp_directory_path() / "audit-bench-XXXXXX").string();
        path_ = ::mkdtemp(tmpl.data());
    }
    ~bench_dir() { std::filesystem::remove_all(path_); }
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

bench_dir& scratch()
{
    static bench_dir dir;
    return dir;
}

// The log with (at least) `records` records, generated once.
const std::filesystem::path& log_with(std::int64_t records)
{
    static std::map<std::int64_t, std::filesystem::path> made;
    auto it = made.find(records);
    if (it != made.end()) return it->second;
    const auto path = scratch().path() / fmt::format("audit-{}.jsonl", records);
    {
        audit::file_audit_store store({.log_path = path});
        audit::audit_projection projection;
        if (!store.lock() || !store.replay(projection)) std::abort();
        std::vector<audit::record_body> batch;
        std::int64_t written = 0;
        for (std::int64_t i = 0; written < records; ++i) {
            for (auto& r : occurrence_records(i)) {
                if (written++ < records) batch.push_back(std::move(r));
            }
            if (batch.size() >= 30'000) {
                if (!store.append(batch)) std::abort();
                batch.clear();
            }
        }
        if (!batch.empty() && !store.append(batch)) std::abort();
    }
    return made.emplace(records, path).first->second;
}

void set_file_counters(benchmark::State& state, const std::filesystem::path& path,
                       std::int64_t records)
{
    const auto bytes = static_cast<std::int64_t>(std::filesystem::file_size(path));
    state.SetBytesProcessed(state.iterations() * bytes);
    state.SetItemsProcessed(state.iterations() * records);
    state.counters["file_MB"] = static_cast<double>(bytes) / 1e6;
}

void BM_sha256_file(benchmark::State& state)
{
    const auto records = state.range(0);
    const auto& path = log_with(records);
    std::vector<unsigned char> buffer(1 << 20);
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    for (auto _ : state) {
        const int fd = ::open(path.c_str(), O_RDONLY);
        EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
        ssize_t n;
        while ((n = ::read(fd, buffer.data(), buffer.size())) > 0) {
            EVP_DigestUpdate(ctx, buffer.data(), static_cast<std::size_t>(n));
        }
        unsigned char digest[EVP_MAX_MD_SIZE];
        unsigned int len = 0;
        EVP_DigestFinal_ex(ctx, digest, &len);
        ::close(fd);
        benchmark::DoNotOptimize(digest);
    }
    EVP_MD_CTX_free(ctx);
    set_file_counters(state, path, records);
}

void BM_verify(benchmark::State& state)
{
    const auto records = state.range(0);
    const auto& path = log_with(records);
    for (auto _ : state) {
        auto r = audit::verify_log(path);
        if (!r || !r->ok() || r->records != static_cast<std::uint64_t>(records)) {
            state.SkipWithError("verify failed");
            return;
        }
    }
    set_file_counters(state, path, records);
}

void BM_replay(benchmark::State& state)
{
    const auto records = state.range(0);
    const auto& path = log_with(records);
    for (auto _ : state) {
        audit::file_audit_store store({.log_path = path});
        audit::audit_projection projection;
        if (!store.lock()) std::abort();
        auto r = store.replay(projection);
        if (!r || r->corruption || r->records != static_cast<std::uint64_t>(records)) {
            state.SkipWithError("replay failed");
            return;
        }
        benchmark::DoNotOptimize(projection.occurrence_count());
    }
    set_file_counters(state, path, records);
}

// One record per append, each its own write + fsync: what the engine would pay without
// group commit.
void BM_append_one_fsync_each(benchmark::State& state)
{
    const auto path = scratch().path() / "append-single.jsonl";
    std::filesystem::remove(path);
    audit::file_audit_store store({.log_path = path});
    audit::audit_projection projection;
    if (!store.lock() || !store.replay(projection)) std::abort();
    std::int64_t i = 0;
    for (auto _ : state) {
        std::vector<audit::record_body> one{occurrence_records(i++)[1]};
        if (!store.append(one)) std::abort();
    }
    state.SetItemsProcessed(state.iterations());
    state.counters["fsyncs"] = static_cast<double>(store.fsync_count());
}

// `concurrency` coroutines on one io_context each appending one record at a time through the
// async writer: concurrent appends share fsyncs.
void BM_append_group_commit(benchmark::State& state)
{
    const auto concurrency = state.range(0);
    const auto path = scratch().path() / fmt::format("append-group-{}.jsonl", concurrency);
    std::filesystem::remove(path);
    auto owned =
        std::make_unique<audit::file_audit_store>(audit::file_store_params{.log_path = path});
    audit::file_audit_store& store = *owned;
    audit::audit_projection projection;
    if (!store.lock() || !store.replay(projection)) std::abort();
    audit::async_audit_writer writer(std::move(owned));
    constexpr std::int64_t per_iteration = 1000;
    std::int64_t next = 0;
    for (auto _ : state) {
        asio::io_context ioc;
        std::int64_t remaining = per_iteration;
        for (std::int64_t c = 0; c < concurrency; ++c) {
            asio::co_spawn(
                ioc,
                [&]() -> asio::awaitable<void> {
                    while (remaining > 0) {
                        --remaining;
                        std::vector<audit::record_body> one{occurrence_records(next++)[1]};
                        auto r = co_await writer.async_append(std::move(one));
                        if (!r) std::abort();
                    }
                },
                asio::detached);
        }
        ioc.run();
    }
    state.SetItemsProcessed(state.iterations() * per_iteration);
    state.counters["fsyncs_per_record"] = static_cast<double>(store.fsync_count()) /
                                          static_cast<double>(state.iterations() * per_iteration);
}

}  // namespace

BENCHMARK(BM_sha256_file)->Arg(100'000)->Arg(1'000'000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_verify)->Arg(100'000)->Arg(1'000'000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_replay)->Arg(100'000)->Arg(1'000'000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_append_one_fsync_each)->Unit(benchmark::kMicrosecond)->MinTime(1.0)->UseRealTime();
BENCHMARK(BM_append_group_commit)
    ->Arg(1)
    ->Arg(16)
    ->Arg(64)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

BENCHMARK_MAIN();
