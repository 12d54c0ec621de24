#pragma once

// Shared helpers for the audit unit tests: sample records, a settable clock, file access.

#include "paymand/audit/codec.hpp"
#include "paymand/audit/file_audit_store.hpp"
#include "paymand/audit/record.hpp"
#include "paymand/money/currency.hpp"
#include "support/manual_clock.hpp"
#include "support/process.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace paymand::audit::fixtures {

using namespace std::chrono_literals;

inline money::amount tsd(std::int64_t minor)
{
    return money::amount(*money::currency::find("TSD"), minor);
}

inline utc_seconds at(int day, int hour = 9)
{
    return std::chrono::sys_days{std::chrono::year{2026} / 12 / day} + std::chrono::hours{hour};
}

inline occurrence_ref occ(std::string rule, int day, int hour = 9)
{
    const std::string id = fmt::format("{}@2026-12-{:02}T{:02}:00", rule, day, hour);
    return {std::move(rule), id, at(day, hour)};
}

inline intent_record intent(const occurrence_ref& ref, std::int64_t minor = 10000,
                            std::string payee = "John Doe")
{
    return intent_record{.ref = ref,
                         .payee = std::move(payee),
                         .amount = tsd(minor),
                         .wallet = std::nullopt,
                         .memo = "pm:" + ref.rule,
                         .idempotency_key = "idem-" + ref.occurrence,
                         .prompt = "send 100.00 TSD to John Doe"};
}

inline result_record result(const occurrence_ref& ref, outcome o = outcome::completed)
{
    return result_record{.ref = ref,
                         .outcome = o,
                         .task_id = "task-1",
                         .state = "completed",
                         .reason = std::nullopt,
                         .excerpt = "Sent 100.00 TSD to John Doe."};
}

// A clock standing at at(1, 0); each read advances it by one microsecond, as time does.
inline std::shared_ptr<paymand::test::manual_clock> test_clock()
{
    auto clock = paymand::test::clock_at(at(1, 0));
    clock->tick_per_read(std::chrono::microseconds{1});
    return clock;
}

using paymand::test::read_file;

inline void write_file(const std::filesystem::path& p, std::string_view content)
{
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
}

inline std::vector<std::string> lines_of(const std::string& content)
{
    std::vector<std::string> out;
    std::size_t start = 0;
    for (std::size_t nl; (nl = content.find('\n', start)) != std::string::npos; start = nl + 1) {
        out.push_back(content.substr(start, nl - start + 1));
    }
    if (start < content.size()) out.push_back(content.substr(start));
    return out;
}

inline file_store_params params_in(const paymand::test::temp_dir& dir)
{
    return {
        .log_path = dir / "audit.jsonl", .lock_path = {}, .dry_run = false, .clock = test_clock()};
}

// Opens (lock + replay) a store, failing the test on error.
inline std::unique_ptr<file_audit_store> open_store(const file_store_params& p,
                                                    audit_projection& projection,
                                                    replay_report* report = nullptr)
{
    auto store = std::make_unique<file_audit_store>(p);
    auto locked = store->lock();
    EXPECT_TRUE(locked) << (locked ? "" : locked.error().message);
    auto replayed = store->replay(projection);
    EXPECT_TRUE(replayed) << (replayed ? "" : replayed.error().message);
    if (report && replayed) *report = *replayed;
    return store;
}

// Writes `n` records (intent + result pairs, then a started) into a fresh log at `p`.
inline void write_log(const file_store_params& p, int pairs)
{
    audit_projection projection;
    auto store = open_store(p, projection);
    std::vector<record_body> batch{started_record{"0.1.0", 42}};
    for (int i = 0; i < pairs; ++i) {
        const auto ref = occ("rent", 1 + i % 28, i / 28 % 24);
        batch.push_back(intent(ref));
        batch.push_back(result(ref));
    }
    auto r = store->append(batch);
    ASSERT_TRUE(r) << r.error().message;
}

}  // namespace paymand::audit::fixtures
