#include "paymand/inspect/simulation.hpp"

#include "paymand/audit/async_audit_writer.hpp"
#include "paymand/audit/memory_audit_store.hpp"
#include "paymand/audit/projection.hpp"
#include "paymand/engine/clock.hpp"
#include "paymand/text/word_table.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <date/tz.h>
#include <fmt/format.h>
#include <spdlog/sinks/null_sink.h>

#include <exception>
#include <unordered_map>

namespace paymand::inspect {

namespace asio = boost::asio;

namespace {

constexpr auto verdict_words = text::make_word_table<verdict>({
    {verdict::pay, "pay"},
    {verdict::condition, "condition"},
    {verdict::limit, "limit"},
    {verdict::skipped, "skipped"},
    {verdict::missed, "missed"},
    {verdict::report, "report"},
    {verdict::failed, "failed"},
});

}  // namespace

const char* to_string(verdict v) noexcept
{
    return verdict_words.word(v, "unknown").data();
}

namespace {

// Turns the engine's records into one verdict per occurrence.
class collector {
public:
    explicit collector(const simulation_params& params) : params_(params) {}

    void operator()(const audit::record& r)
    {
        const auto* ref = audit::occurrence_of(r.body);
        if (ref == nullptr) return;
        std::visit([&](const auto& body) { apply(*ref, body); }, r.body);
    }

    simulation_result finish()
    {
        for (const auto& o : result_.occurrences) {
            ++result_.counts[o.what];
            if (o.what != verdict::pay || !o.amount) continue;
            const std::string currency(o.amount->unit().code());
            const auto add = [&](total& t) {
                ++t.count;
                t.minor_units += o.amount->minor_units();
            };
            add(result_.per_payee[{o.payee, currency}]);
            add(result_.per_month[{month_of(o.utc), currency}]);
            add(result_.per_currency[currency]);
        }
        return std::move(result_);
    }

private:
    simulated_occurrence& entry(const audit::occurrence_ref& ref)
    {
        auto [it, added] = index_.try_emplace(ref.occurrence, result_.occurrences.size());
        if (added)
            result_.occurrences.push_back(simulated_occurrence{
                .occurrence = ref.occurrence, .rule = ref.rule, .utc = ref.utc});
        return result_.occurrences[it->second];
    }

    void apply(const audit::occurrence_ref& ref, const audit::intent_record& r)
    {
        auto& o = entry(ref);
        o.what = verdict::pay;
        o.amount = r.amount;
        o.payee = r.payee;
    }
    void apply(const audit::occurrence_ref& ref, const audit::condition_record& r)
    {
        if (!r.met) entry(ref).what = verdict::condition;
    }
    void apply(const audit::occurrence_ref& ref, const audit::skipped_record& r)
    {
        auto& o = entry(ref);
        const auto* rule = params_.rules->find(ref.rule);
        if (o.what == verdict::condition) {
            o.detail = r.reason;
        } else if (rule != nullptr && !rule->pays()) {
            o.what = verdict::report;
            o.detail = "read-only; not asked in a simulation";
        } else {
            o.what = verdict::skipped;
            o.detail = r.reason;
        }
    }
    void apply(const audit::occurrence_ref& ref, const audit::denied_record& r)
    {
        auto& o = entry(ref);
        o.what = verdict::limit;
        o.limit = r.limit;
        o.detail = r.reason;
        if (const auto* rule = params_.rules->find(ref.rule); rule && rule->payment()) {
            o.amount = rule->payment()->amount;
            o.payee = rule->payment()->payee;
        }
    }
    void apply(const audit::occurrence_ref& ref, const audit::missed_record& r)
    {
        auto& o = entry(ref);
        o.what = verdict::missed;
        o.detail = r.reason;
    }
    void apply(const audit::occurrence_ref& ref, const audit::failed_record& r)
    {
        auto& o = entry(ref);
        o.what = verdict::failed;
        o.detail = r.reason;
    }
    // The dry-run result of an intent ("not sent") and every other record change nothing.
    template <class Other>
    void apply(const audit::occurrence_ref&, const Other&)
    {
    }

    std::string month_of(std::chrono::sys_seconds t) const
    {
        auto local = params_.policy.zone != nullptr ? params_.policy.zone->to_local(t)
                                                    : date::local_seconds(t.time_since_epoch());
        auto day = date::year_month_day(std::chrono::floor<date::days>(local));
        return fmt::format("{:04}-{:02}", static_cast<int>(day.year()),
                           static_cast<unsigned>(day.month()));
    }

    const simulation_params& params_;
    simulation_result result_;
    std::unordered_map<std::string, std::size_t> index_;
};

}  // namespace

simulation_result simulate(const simulation_params& params)
{
    asio::io_context io;
    // One second early: the rules are installed (and active) before the first instant.
    engine::virtual_clock clk(io.get_executor(), params.from - std::chrono::seconds(1));
    auto store = std::make_unique<audit::memory_audit_store>(clk);
    audit::audit_projection state;
    (void)store->replay(state);
    audit::async_audit_writer writer(std::move(store), audit::writer_thread::caller);
    auto log = std::make_shared<spdlog::logger>("simulate",
                                                std::make_shared<spdlog::sinks::null_sink_st>());
    collector collect(params);
    engine::engine eng(io.get_executor(),
                       {.settings = params.settings,
                        .policy = params.policy,
                        .prompts = params.prompts,
                        .client_id = params.client_id,
                        .dry_run = true,
                        .assumed = params.balances,
                        .on_record = [&collect](const audit::record& r) { collect(r); },
                        .stop_at = params.to - std::chrono::seconds(1),
                        .seed = 1},
                       clk, nullptr, writer, state, log);
    std::exception_ptr failure;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            co_await eng.async_set_rules(params.rules);
            co_await eng.async_run();
        },
        [&](std::exception_ptr e) { failure = e; });
    io.run();
    if (failure) std::rethrow_exception(failure);
    return collect.finish();
}

}  // namespace paymand::inspect
