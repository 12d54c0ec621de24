#pragma once

// `paymand simulate`: the real engine (scheduling, catch-up, overlap, conditions, limits,
// intents) on a virtual clock over a period, with assumed balances and no network. It is the
// daemon's own code path in dry-run mode: the only differences are the clock, the balances
// and an audit store that keeps nothing.

#include "paymand/config/daemon_config.hpp"
#include "paymand/engine/engine.hpp"
#include "paymand/money/amount.hpp"
#include "paymand/prompt/prompt_set.hpp"
#include "paymand/rules/policy.hpp"
#include "paymand/rules/rule_set.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

namespace paymand::inspect {

struct simulation_params {
    std::shared_ptr<const rules::rule_set> rules;
    rules::policy policy;
    config::engine_config settings;
    prompt::prompt_set prompts = prompt::prompt_set::defaults();
    std::string client_id = "simulation";
    // Occurrences with an instant in [from, to) are simulated.
    std::chrono::sys_seconds from;
    std::chrono::sys_seconds to;
    // Every balance condition reads these (constant over the period: payments do not move
    // them).
    engine::assumed_balances balances;
};

enum class verdict {
    pay,        // would be paid: an intent was recorded
    condition,  // its condition was not met (or unclear)
    limit,      // refused by a limit
    skipped,    // not run (overlap, ...)
    missed,     // outside its catch-up window
    report,     // a read-only report (not asked in a simulation)
    failed,     // could not be run (e.g. its memo cannot be expanded)
};

const char* to_string(verdict v) noexcept;

struct simulated_occurrence {
    std::string occurrence;  // identity
    std::string rule;
    std::chrono::sys_seconds utc;
    verdict what = verdict::pay;
    std::optional<money::amount> amount;  // pay, limit
    std::string payee;                    // pay, limit
    std::string limit;                    // limit: e.g. "monthly_total.TSD"
    std::string detail;                   // why, with figures
};

// Payments that would be made, summed: count and integer minor units.
struct total {
    std::uint64_t count = 0;
    std::int64_t minor_units = 0;
};

struct simulation_result {
    std::vector<simulated_occurrence> occurrences;  // in the order the engine decided them
    // Keys: (payee, currency), (YYYY-MM in the policy's zone, currency), currency.
    std::map<std::tuple<std::string, std::string>, total> per_payee;
    std::map<std::tuple<std::string, std::string>, total> per_month;
    std::map<std::string, total> per_currency;
    std::map<verdict, std::uint64_t> counts;
};

// Runs the engine over the period; never touches the network or the disk.
simulation_result simulate(const simulation_params& params);

}  // namespace paymand::inspect
