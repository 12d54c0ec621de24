#pragma once

// One daemon lifetime of the engine on a virtual clock, for unit and integration tests:
// opens (locks, replays) the audit log in `dir`, records replayed intents without a result as
// in doubt, installs the rules and schedules from `start` until the next occurrence lies
// after `params.stop_at`. Test failures are reported through GoogleTest.

#include "paymand/engine/engine.hpp"
#include "paymand/rules/rule_set.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace paymand::test {

struct engine_run {
    std::filesystem::path dir;  // holds audit.jsonl and paymand.lock
    engine::engine_params params;
    engine::sys_time start;
    // Builds the agent on the run's io_context (a scripted one, or a real client).
    std::function<std::shared_ptr<engine::agent>(boost::asio::io_context&)> make_agent;
    // When set: the gate of a ledger shared by several nodes, built on the run's io_context
    // (engine_params::gate).
    std::function<std::shared_ptr<engine::occurrence_gate>(boost::asio::io_context&)> make_gate;
    // Called with the run's virtual clock once it exists (tests that move time themselves).
    std::function<void(engine::virtual_clock&)> on_clock;
    // Awaited after the rules are installed and before scheduling starts, and after
    // scheduling ended.
    std::function<boost::asio::awaitable<void>(engine::engine&)> during;
    std::function<boost::asio::awaitable<void>(engine::engine&)> after;
    // How much later than the engine's clock records are stamped: a loaded machine writes a
    // record some time after the engine decided on it (the stamps of rules_loaded records set
    // when a definition became active).
    std::chrono::seconds stamp_ahead{0};
    // When set, receives the number of audit commits (one write and fsync each) of the run.
    std::uint64_t* commits = nullptr;
    // When set, receives what async_run returned: the occurrences left unfinished at the end
    // of the shutdown grace.
    std::size_t* unfinished = nullptr;
};

void run_engine(const engine_run& run, std::shared_ptr<const rules::rule_set> rules);

// A scripted answer of Payman's agent: a reply in `state` with `text` as its artifact.
engine::ask_outcome reply(std::string text,
                          payman::task_state state = payman::task_state::completed);
// A scripted failure of the given class ("scripted failure").
engine::ask_outcome failure(payman::error_class kind, int status = 0);

// Loads rule text under `policy`; a load error fails the test and yields an empty set.
std::shared_ptr<const rules::rule_set> load_rules(std::string_view text,
                                                  const rules::policy& policy);

}  // namespace paymand::test
