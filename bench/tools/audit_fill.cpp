// Writes an audit log of N records quickly, through the real store (file_audit_store: real
// serialisation, sequence numbers and hash chain) in batches of 30,000 records, one fsync per
// batch, rather than through the daemon. The records are a realistic mix: per occurrence a
// condition, an intent and a result (about 330 bytes a line).
//
//   bench_audit_fill --log /tmp/x/audit.jsonl --records 1000000
//
// Prints one JSON line: {"records","bytes","seconds"}; exit 0 on success.

#include "../audit_records.hpp"
#include "paymand/audit/file_audit_store.hpp"
#include "paymand/audit/projection.hpp"
#include "paymand/money/currency.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <vector>

namespace {

using paymand::bench::occurrence_records;

namespace audit = paymand::audit;

}  // namespace

int main(int argc, char** argv)
{
    CLI::App app{"Write an audit log of N records through file_audit_store"};
    std::filesystem::path log;
    std::int64_t records = 100'000;
    app.add_option("--log", log, "The log to create (must not exist)")->required();
    app.add_option("--records", records)->check(CLI::Range(std::int64_t{1}, std::int64_t{1} << 40));
    CLI11_PARSE(app, argc, argv);

    if (std::filesystem::exists(log)) {
        std::cerr << "bench_audit_fill: " << log << " exists\n";
        return 2;
    }
    const auto start = std::chrono::steady_clock::now();
    audit::file_audit_store store({.log_path = log});
    audit::audit_projection projection;
    if (auto locked = store.lock(); !locked) {
        std::cerr << "bench_audit_fill: cannot lock " << log << "\n";
        return 1;
    }
    if (auto replayed = store.replay(projection); !replayed) {
        std::cerr << "bench_audit_fill: cannot open " << log << "\n";
        return 1;
    }
    std::vector<audit::record_body> batch;
    std::int64_t written = 0;
    for (std::int64_t i = 0; written < records; ++i) {
        for (auto& r : occurrence_records(i))
            if (written < records) {
                batch.push_back(std::move(r));
                ++written;
            }
        if (batch.size() >= 30'000 || written == records) {
            if (auto appended = store.append(batch); !appended) {
                std::cerr << "bench_audit_fill: append failed at record " << written << "\n";
                return 1;
            }
            batch.clear();
        }
    }
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    std::cout << fmt::format("{{\"records\":{},\"bytes\":{},\"seconds\":{:.6f}}}\n", records,
                             std::filesystem::file_size(log), elapsed.count());
    return 0;
}
