#include "support/engine_run.hpp"

#include "paymand/audit/file_audit_store.hpp"
#include "paymand/rules/rule_loader.hpp"

#include <boost/asio/co_spawn.hpp>

#include <gtest/gtest.h>
#include <spdlog/sinks/null_sink.h>

namespace paymand::test {

namespace asio = boost::asio;

namespace {

// The engine's clock, `ahead` later.
class ahead_clock final : public core::clock {
public:
    ahead_clock(std::shared_ptr<const core::clock> base, std::chrono::seconds ahead)
        : base_(std::move(base)), ahead_(ahead)
    {
    }
    core::wall_time wall_now() const override { return base_->wall_now() + ahead_; }
    core::steady_time steady_now() const override { return base_->steady_now() + ahead_; }

private:
    std::shared_ptr<const core::clock> base_;
    std::chrono::seconds ahead_;
};

}  // namespace

engine::ask_outcome reply(std::string text, payman::task_state state)
{
    payman::ask_result r;
    r.task_id = "tsk-1";
    r.state = state;
    r.state_text = std::string(payman::to_string(state));
    r.artifacts.push_back({.name = "response", .text = std::move(text)});
    return r;
}

engine::ask_outcome failure(payman::error_class kind, int status)
{
    return engine::ask_outcome(
        boost::system::in_place_error,
        core::extend({.message = "scripted failure"},
                     payman::client_error{.kind = kind, .http_status = status}));
}

std::shared_ptr<const rules::rule_set> load_rules(std::string_view text,
                                                  const rules::policy& policy)
{
    yaml::diagnostics diags;
    auto set = rules::load_rules_text(text, "test.yaml", policy, diags);
    if (!set) ADD_FAILURE() << diags.to_string();
    return std::make_shared<const rules::rule_set>(set ? std::move(*set) : rules::rule_set{});
}

void run_engine(const engine_run& run, std::shared_ptr<const rules::rule_set> rules)
{
    asio::io_context io;
    auto clk = std::make_shared<engine::virtual_clock>(io.get_executor(), run.start);
    if (run.on_clock) run.on_clock(*clk);
    // Records are stamped by the engine's clock, as in the daemon: rule activation times
    // come from those stamps.
    std::shared_ptr<const core::clock> stamps = clk;
    if (run.stamp_ahead.count() > 0) stamps = std::make_shared<ahead_clock>(clk, run.stamp_ahead);
    auto store = std::make_unique<audit::file_audit_store>(
        audit::file_store_params{.log_path = run.dir / "audit.jsonl",
                                 .lock_path = run.dir / "paymand.lock",
                                 .dry_run = run.params.dry_run,
                                 .clock = stamps});
    ASSERT_TRUE(store->lock());
    audit::audit_projection state;
    auto replay = store->replay(state);
    ASSERT_TRUE(replay);
    ASSERT_FALSE(replay->corruption);
    audit::async_audit_writer writer(std::move(store));
    auto log =
        std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::null_sink_mt>());
    auto params = run.params;
    if (run.make_gate) params.gate = run.make_gate(io);
    engine::engine eng(io.get_executor(), std::move(params), *clk, run.make_agent(io), writer,
                       state, log);
    bool finished = false;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            std::vector<audit::record_body> interrupted;
            for (auto& ref : replay->interrupted)
                interrupted.push_back(audit::in_doubt_record{ref, "interrupted"});
            if (!interrupted.empty()) co_await eng.async_record(std::move(interrupted));
            co_await eng.async_set_rules(rules);
            if (run.during) co_await run.during(eng);
            const auto left = co_await eng.async_run();
            if (run.unfinished != nullptr) *run.unfinished = left;
            if (run.after) co_await run.after(eng);
            finished = true;
            // As the daemon does: whatever is still in flight past the grace period never
            // resumes (the process would exit here).
            io.stop();
        },
        [](std::exception_ptr e) {
            if (e) std::rethrow_exception(e);
        });
    io.run();
    EXPECT_TRUE(finished);
    if (run.commits != nullptr) *run.commits = writer.commits();
}

}  // namespace paymand::test
