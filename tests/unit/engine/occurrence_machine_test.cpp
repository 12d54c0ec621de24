// One occurrence's state machine driven step by step: no io_context, no files, no clock. Each
// test lists the steps the machine asks for, in order, as a driver would see them, and what the
// audit state holds afterwards. The crash tests stop a run between any two steps and start
// again from what was durable, as a restart does.

#include "paymand/engine/occurrence_machine.hpp"
#include "paymand/money/parse.hpp"
#include "paymand/prompt/memo_tag.hpp"
#include "paymand/schedule/identity.hpp"
#include "support/engine_run.hpp"

#include <date/date.h>
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>

namespace paymand::engine {
namespace {

using namespace std::chrono_literals;
using testing::ElementsAre;
using testing::HasSubstr;

using test::failure;
using test::reply;

const ask_outcome paid = reply("I've successfully sent 100.00 TSD to John Doe.");
const ask_outcome balance_1000 = reply("The balance of the Main wallet is **1000.00 TSD**.");

const char* end_word(ledger_end end)
{
    switch (end) {
    case ledger_end::paid:
        return "paid";
    case ledger_end::failed:
        return "failed";
    case ledger_end::in_doubt:
        return "in_doubt";
    case ledger_end::skipped:
        return "skipped";
    }
    return "?";
}

// A step in a few words, for the tables below.
std::string describe(const occurrence_step& s)
{
    struct visitor {
        std::string operator()(const step::ask& a) const
        {
            return a.options.read_only ? "ask read" : "ask payment";
        }
        std::string operator()(const step::append& a) const
        {
            std::vector<std::string> types;
            for (const auto& r : a.records) {
                std::string type(audit::to_string(audit::type_of(r)));
                if (const auto* result = std::get_if<audit::result_record>(&r))
                    type += ":" + std::string(audit::to_string(result->outcome));
                types.push_back(type);
            }
            return fmt::format("append {}{}{}", fmt::join(types, "+"),
                               a.reserve ? " reserving" : "", a.deadline ? "" : " once");
        }
        std::string operator()(const step::wait& w) const
        {
            return fmt::format(
                "wait {}ms",
                std::chrono::duration_cast<std::chrono::milliseconds>(w.delay).count());
        }
        std::string operator()(const step::pass_limits_gate&) const { return "limits gate"; }
        std::string operator()(const step::pass_send_gate& g) const
        {
            return g.shared ? "shared send gate" : "send gate";
        }
        std::string operator()(const step::claim&) const { return "claim"; }
        std::string operator()(const step::settle_unsent& s) const
        {
            return "settle " + std::string(end_word(s.end));
        }
        std::string operator()(const step::record_end& r) const
        {
            return "record " + std::string(end_word(r.end));
        }
        std::string operator()(const step::payment_back&) const { return "payment back"; }
        std::string operator()(const step::say& s) const
        {
            const char* level = s.priority == step::say::level::info      ? "info"
                                : s.priority == step::say::level::warning ? "warning"
                                                                          : "error";
            return fmt::format("say {}: {}", level, s.text);
        }
        std::string operator()(const step::keep& k) const
        {
            return fmt::format("keep {}", audit::to_string(audit::type_of(k.records.front())));
        }
        std::string operator()(const step::await_confirmation&) const { return "confirm"; }
        std::string operator()(const step::done&) const { return "done"; }
    };
    return std::visit(visitor{}, s);
}

const char* rent = R"(rules:
  - id: rent
    schedule: monthly on day 1 at 09:00
    timezone: Europe/Berlin
    pay: {payee: John Doe, amount: 100.00}
)";

const char* rent_if_funded = R"(rules:
  - id: rent
    schedule: monthly on day 1 at 09:00
    timezone: Europe/Berlin
    when: {balance: {wallet: Main, above: 500.00}}
    pay: {payee: John Doe, amount: 100.00}
)";

const char* balance_report = R"(rules:
  - id: report
    schedule: daily at 09:00
    timezone: Europe/Berlin
    report: balance
)";

// What a driver keeps: the audit state, the spending ledger, the durable records. Steps are
// answered by `on_ask` (asks), `on_append` (whether an append is durable) and `on_gate`.
class occurrence_machine_test : public testing::Test {
protected:
    rules::policy policy = rules::permissive_policy();
    config::engine_config settings;
    prompt::prompt_set prompts = prompt::prompt_set::defaults();
    bool dry_run = false;
    bool has_payman = true;
    std::shared_ptr<const rules::rule_set> set;
    std::unique_ptr<audit::audit_projection> state = std::make_unique<audit::audit_projection>();
    std::unique_ptr<limits::spending_ledger> ledger;
    std::vector<audit::record_body> durable;
    std::vector<std::string> lines;  // what the machine said
    sys_time now = sys_time(date::sys_days(date::year(2026) / 12 / 1) + 8h);
    bool stopping = false;

    std::function<ask_outcome(const step::ask&)> on_ask = [](const step::ask& a) {
        return a.options.read_only ? balance_1000 : paid;
    };
    std::function<bool(const step::append&)> on_append = [](const step::append&) { return true; };
    std::function<occurrence_event(const step::pass_send_gate&)> on_send_gate =
        [](const step::pass_send_gate& g) -> occurrence_event {
        if (g.shared) return gate_answer{.verdict = gate_verdict::passed};
        return event::passed{};
    };
    // The shared ledger (shared_ledger = true): its claim, and its answers to a settle or a
    // record of the result.
    bool shared_ledger = false;
    bool manual = false;  // a manual run (paymand trigger): identity with manual_suffix
    claim_answer on_claim{.verdict = claim_verdict::claimed};
    ledger_answer on_ledger{.done = true};

    void load(const char* text)
    {
        set = test::load_rules(text, policy);
        ledger = std::make_unique<limits::spending_ledger>(policy.zone);
    }

    const rules::rule& rule() const { return set->rules().front(); }

    std::string identity() const
    {
        return schedule::to_string({rule().id, local()}) +
               (manual ? std::string(manual_suffix) : std::string());
    }

    schedule::local_minutes local() const
    {
        return schedule::local_minutes(date::local_days(date::year(2026) / 12 / 1) + 9h);
    }

    occurrence_machine machine()
    {
        return occurrence_machine(
            occurrence_context{.rule = rule(),
                               .occ = {local(), std::chrono::floor<std::chrono::seconds>(now)},
                               .identity = identity(),
                               .manual = manual,
                               .settings = settings,
                               .policy = policy,
                               .prompts = prompts,
                               .client_id = "pm-test-client",
                               .dry_run = dry_run,
                               .has_payman = has_payman,
                               .assumed = nullptr,
                               .confirm = true,
                               .shared_ledger = shared_ledger,
                               .state = *state,
                               .ledger = *ledger});
    }

    void make_durable(std::vector<audit::record_body> records)
    {
        for (auto& body : records) {
            audit::record r{.seq = durable.size() + 1, .body = body};
            state->apply(r);
            durable.push_back(std::move(body));
        }
    }

    occurrence_event perform(occurrence_step& s)
    {
        if (const auto* a = std::get_if<step::ask>(&s)) return event::answered{on_ask(*a), 500'000};
        if (auto* a = std::get_if<step::append>(&s)) {
            const bool ok = on_append(*a);
            if (ok) make_durable(std::move(a->records));
            return event::appended{ok};
        }
        if (std::holds_alternative<step::pass_limits_gate>(s)) return event::passed{};
        if (const auto* g = std::get_if<step::pass_send_gate>(&s)) return on_send_gate(*g);
        if (std::holds_alternative<step::claim>(s)) return on_claim;
        if (std::holds_alternative<step::settle_unsent>(s) ||
            std::holds_alternative<step::record_end>(s))
            return on_ledger;
        if (const auto* line = std::get_if<step::say>(&s)) lines.push_back(line->text);
        if (const auto* w = std::get_if<step::wait>(&s)) now += w->delay;
        return event::performed{};
    }

    // Runs a machine to its end (or for `most` steps), returning its steps in words.
    std::vector<std::string> run(std::size_t most = 1000, bool definition_replaced = false)
    {
        auto m = machine();
        std::vector<std::string> steps;
        auto next = m.start({.now = now, .stopping = stopping}, definition_replaced);
        for (std::size_t i = 0; i < most; ++i) {
            steps.push_back(describe(next));
            if (std::holds_alternative<step::done>(next)) break;
            auto what = perform(next);
            next = m.resume(std::move(what), {.now = now, .stopping = stopping});
        }
        return steps;
    }

    template <typename T>
    std::vector<const T*> all() const
    {
        std::vector<const T*> out;
        for (const auto& r : durable)
            if (const auto* p = std::get_if<T>(&r)) out.push_back(p);
        return out;
    }

    std::size_t payment_asks = 0;
    void count_payment_asks()
    {
        on_ask = [this, inner = on_ask](const step::ask& a) {
            if (!a.options.read_only) ++payment_asks;
            return inner(a);
        };
    }
};

const std::vector<std::string> paid_steps = {
    "limits gate",
    "append intent reserving",
    "send gate",
    "ask payment",
    "payment back",
    "say info: rent@2026-12-01T09:00: paid 100.00 TSD to John Doe",
    "append result:completed",
    "confirm",
    "done",
};

TEST_F(occurrence_machine_test,
       a_payment_without_condition_goes_through_both_gates_and_is_confirmed)
{
    load(rent);
    EXPECT_EQ(run(), paid_steps);
    ASSERT_EQ(all<audit::intent_record>().size(), 1u);
    const auto& intent = *all<audit::intent_record>()[0];
    EXPECT_EQ(intent.payee, "John Doe");
    EXPECT_EQ(intent.amount.minor_units(), 10000);
    EXPECT_THAT(intent.prompt, HasSubstr("pm:rent:20261201T0900"));
    EXPECT_TRUE(state->handled(identity()));
}

TEST_F(occurrence_machine_test, the_intent_reserves_its_amount_and_carries_the_crash_point)
{
    load(rent);
    auto m = machine();
    auto next = m.start({.now = now});
    next = m.resume(event::passed{}, {.now = now});
    const auto& append = std::get<step::append>(next);
    ASSERT_TRUE(append.reserve);
    EXPECT_EQ(append.reserve->amount, 10000);
    EXPECT_EQ(append.reserve->payee, "John Doe");
    EXPECT_EQ(std::string(append.crash_point), "after_intent_durable");
    EXPECT_EQ(append.deadline, now + settings.occurrence_timeout);
}

// The condition, in every state it can be in, and what it leaves in the audit log.
struct condition_case {
    const char* name;
    ask_outcome balance;
    std::vector<std::string> steps;
    bool met;
    bool unclear;
};

void PrintTo(const condition_case& c, std::ostream* os)
{
    *os << c.name;
}

class condition_cases : public occurrence_machine_test,
                        public testing::WithParamInterface<condition_case> {};

TEST_P(condition_cases, decide_what_is_recorded_and_whether_anything_is_sent)
{
    const auto& c = GetParam();
    load(rent_if_funded);
    on_ask = [&](const step::ask& a) { return a.options.read_only ? c.balance : paid; };
    EXPECT_EQ(run(), c.steps);
    ASSERT_EQ(all<audit::condition_record>().size(), 1u);
    const auto& condition = *all<audit::condition_record>()[0];
    EXPECT_EQ(condition.met, c.met);
    EXPECT_EQ(condition.unclear_reason.has_value(), c.unclear);
    EXPECT_EQ(all<audit::intent_record>().size(), c.met ? 1u : 0u);
}

std::vector<std::string> after_balance(std::vector<std::string> rest)
{
    rest.insert(rest.begin(), "ask read");
    return rest;
}

std::vector<std::string> met_steps()
{
    auto steps = paid_steps;
    steps[1] = "append condition+intent reserving";  // the condition costs no fsync of its own
    return after_balance(steps);
}

INSTANTIATE_TEST_SUITE_P(
    occurrence_machine, condition_cases,
    testing::Values(
        condition_case{"met", balance_1000, met_steps(), true, false},
        condition_case{"not_met", reply("The balance of the Main wallet is **400.00 TSD**."),
                       after_balance({"append condition+skipped", "done"}), false, false},
        condition_case{"unclear", reply("I could not find that wallet."),
                       after_balance({"append condition+skipped", "done"}), false, true},
        condition_case{"rejected", failure(payman::error_class::rejected, 403),
                       after_balance({"append condition+skipped", "done"}), false, true}),
    [](const auto& info) { return std::string(info.param.name); });

TEST_F(occurrence_machine_test, a_balance_read_that_may_have_reached_payman_is_retried)
{
    load(rent_if_funded);
    int asked = 0;
    on_ask = [&](const step::ask& a) {
        if (!a.options.read_only) return paid;
        return ++asked == 1 ? failure(payman::error_class::unknown_outcome) : balance_1000;
    };
    auto steps = run();
    ASSERT_GE(steps.size(), 4u);
    EXPECT_THAT(steps[1], HasSubstr("say warning: ask for rent@2026-12-01T09:00 failed"));
    EXPECT_THAT(steps[2], HasSubstr("wait "));
    EXPECT_EQ(steps[3], "ask read");
    EXPECT_EQ(all<audit::intent_record>().size(), 1u);
}

// Each limit denies with its own label; nothing is reserved or sent.
struct limit_case {
    const char* name;
    std::function<void(limits::limits_config&)> set;
    const char* label;
};

void PrintTo(const limit_case& c, std::ostream* os)
{
    *os << c.name;
}

class limit_cases : public occurrence_machine_test,
                    public testing::WithParamInterface<limit_case> {};

TEST_P(limit_cases, deny_before_anything_is_written_or_sent)
{
    const auto& c = GetParam();
    load(rent);  // before the limits: a rule above the per-transaction limit does not load
    policy.limits.enabled = true;
    policy.limits.currencies["TSD"] = {};
    c.set(policy.limits);
    // Paid earlier today and this month: 60.00 to John Doe.
    ledger->add({.amount = 6000,
                 .currency = "TSD",
                 .payee = "John Doe",
                 .instant = std::chrono::floor<std::chrono::seconds>(now) - 1h,
                 .status = limits::payment_status::completed});
    EXPECT_THAT(run(), ElementsAre("limits gate", "append denied", "done"));
    ASSERT_EQ(all<audit::denied_record>().size(), 1u);
    EXPECT_EQ(all<audit::denied_record>()[0]->limit, c.label);
}

INSTANTIATE_TEST_SUITE_P(
    occurrence_machine, limit_cases,
    testing::Values(
        limit_case{"per_transaction", [](auto& l) { l.currencies["TSD"].per_transaction = 5000; },
                   "per_transaction.TSD"},
        limit_case{"daily", [](auto& l) { l.currencies["TSD"].daily = 15000; }, "daily_total.TSD"},
        limit_case{"monthly", [](auto& l) { l.currencies["TSD"].monthly = 15000; },
                   "monthly_total.TSD"},
        limit_case{"payee_daily", [](auto& l) { l.currencies["TSD"].payee_daily = 15000; },
                   "payee_daily_total.TSD"},
        limit_case{"payee_monthly", [](auto& l) { l.currencies["TSD"].payee_monthly = 15000; },
                   "payee_monthly_total.TSD"},
        limit_case{"payments_per_day", [](auto& l) { l.max_payments_per_day = 1; },
                   "payments_per_day.TSD"},
        limit_case{"no_limits_for_currency", [](auto& l) { l.currencies.clear(); },
                   "no_limits_for_currency.TSD"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST_F(occurrence_machine_test, an_intent_the_log_refuses_sends_nothing_and_says_so)
{
    load(rent);
    count_payment_asks();
    on_append = [](const step::append&) { return false; };
    EXPECT_THAT(run(),
                ElementsAre("limits gate", "append intent reserving",
                            "say error: rent@2026-12-01T09:00: not paid: the intent could not be "
                            "written to the audit log",
                            "say error: rent@2026-12-01T09:00: not handled: the audit log could "
                            "not be written before the occurrence's deadline; nothing was sent",
                            "keep failed", "done"));
    EXPECT_EQ(payment_asks, 0u);
}

TEST_F(occurrence_machine_test, a_stopping_engine_does_not_say_not_handled)
{
    load(rent);
    on_append = [this](const step::append&) {
        stopping = true;
        return false;
    };
    EXPECT_THAT(run(), ElementsAre("limits gate", "append intent reserving",
                                   "say error: rent@2026-12-01T09:00: not paid: the intent could "
                                   "not be written to the audit log",
                                   "done"));
}

// What each answer to the payment's ask becomes.
struct answer_case {
    const char* name;
    std::vector<ask_outcome> answers;  // in order; the last repeats
    std::vector<std::string> tail;     // the steps after "ask payment"
    bool unpaid;                       // the append says the occurrence ended unpaid
};

void PrintTo(const answer_case& c, std::ostream* os)
{
    *os << c.name;
}

class answer_cases : public occurrence_machine_test,
                     public testing::WithParamInterface<answer_case> {};

TEST_P(answer_cases, are_recorded_as_their_class_demands)
{
    const auto& c = GetParam();
    settings.retry.max_attempts = 3;
    load(rent);
    std::size_t n = 0;
    on_ask = [&](const step::ask&) { return c.answers[std::min(n++, c.answers.size() - 1)]; };
    bool unpaid = false;
    on_append = [&](const step::append& a) {
        unpaid = unpaid || a.ends_unpaid;
        return true;
    };
    auto steps = run();
    ASSERT_EQ(steps.size(), 4 + c.tail.size()) << testing::PrintToString(steps);
    EXPECT_EQ(steps[3], "ask payment");
    for (std::size_t i = 0; i < c.tail.size(); ++i)
        EXPECT_THAT(steps[4 + i], testing::StartsWith(c.tail[i]));  // "say", "wait": their kind
    EXPECT_EQ(unpaid, c.unpaid);
}

const std::string retry_line = "say warning: ask for rent@2026-12-01T09:00 failed (";

INSTANTIATE_TEST_SUITE_P(
    occurrence_machine, answer_cases,
    testing::Values(
        answer_case{"completed",
                    {paid},
                    {"payment back", "say info: rent@2026-12-01T09:00: paid 100.00 TSD to John Doe",
                     "append result:completed", "confirm", "done"},
                    false},
        answer_case{"contradicting_amount",
                    {reply("I've successfully sent 1000.00 TSD to John Doe.")},
                    {"payment back", "append mismatch", "done"},
                    false},
        answer_case{"failed",
                    {reply("The payment failed: insufficient funds.", payman::task_state::failed)},
                    {"payment back", "append result:failed", "done"},
                    true},
        answer_case{"needs_input",
                    {reply("Which John Doe do you mean?", payman::task_state::input_required)},
                    {"payment back", "append result:needs_input", "done"},
                    false},
        answer_case{"unclear",
                    {reply("Working on it.")},
                    {"payment back", "append result:unclear", "done"},
                    false},
        answer_case{"unknown_outcome_is_never_asked_again",
                    {failure(payman::error_class::unknown_outcome, 502)},
                    {"payment back", "append in_doubt", "done"},
                    false},
        answer_case{"rejected_is_not_asked_again",
                    {failure(payman::error_class::rejected, 400)},
                    {"payment back", "append failed", "done"},
                    true},
        answer_case{"not_sent_is_asked_until_the_attempts_run_out",
                    {failure(payman::error_class::not_sent)},
                    {"say", "wait", "ask payment", "say", "wait", "ask payment", "payment back",
                     "append failed", "done"},
                    true}),
    [](const auto& info) { return std::string(info.param.name); });

TEST_F(occurrence_machine_test, not_sent_and_rate_limited_asks_are_retried_then_paid)
{
    for (auto first :
         {failure(payman::error_class::not_sent), failure(payman::error_class::rejected, 429)}) {
        durable.clear();
        state = std::make_unique<audit::audit_projection>();
        load(rent);
        std::size_t n = 0;
        on_ask = [&](const step::ask&) { return n++ == 0 ? first : paid; };
        auto steps = run();
        ASSERT_GE(steps.size(), 7u);
        EXPECT_EQ(steps[3], "ask payment");
        EXPECT_THAT(steps[4], testing::StartsWith(retry_line));
        EXPECT_THAT(steps[5], testing::StartsWith("wait "));
        EXPECT_EQ(steps[6], "ask payment");
        ASSERT_EQ(all<audit::result_record>().size(), 1u);
        EXPECT_EQ(all<audit::result_record>()[0]->outcome, audit::outcome::completed);
    }
}

TEST_F(occurrence_machine_test, a_retry_that_would_end_after_the_deadline_is_not_made)
{
    settings.occurrence_timeout = 1s;
    settings.retry.initial_delay = 5s;
    settings.retry.max_delay = 5s;
    load(rent);
    on_ask = [](const step::ask&) { return failure(payman::error_class::not_sent); };
    EXPECT_THAT(run(), ElementsAre("limits gate", "append intent reserving", "send gate",
                                   "ask payment", "payment back", "append failed", "done"));
}

TEST_F(occurrence_machine_test, the_answers_counts_of_attempts_are_recorded)
{
    settings.retry.max_attempts = 2;
    load(rent);
    on_ask = [](const step::ask&) { return failure(payman::error_class::not_sent); };
    run();
    ASSERT_EQ(all<audit::failed_record>().size(), 1u);
    EXPECT_EQ(all<audit::failed_record>()[0]->attempts, 2u);
}

TEST_F(occurrence_machine_test, a_refused_send_gate_records_the_payment_not_sent)
{
    load(rent);
    count_payment_asks();
    on_send_gate = [](const step::pass_send_gate&) {
        return event::refused{"another node holds the occurrence"};
    };
    EXPECT_THAT(run(), ElementsAre("limits gate", "append intent reserving", "send gate",
                                   "append failed", "done"));
    EXPECT_EQ(payment_asks, 0u);
    EXPECT_THAT(all<audit::failed_record>()[0]->reason,
                HasSubstr("not sent: another node holds the occurrence"));
}

TEST_F(occurrence_machine_test, a_dry_run_records_what_it_would_pay_and_asks_nothing)
{
    dry_run = true;
    load(rent);
    count_payment_asks();
    EXPECT_THAT(run(), ElementsAre("limits gate", "append intent reserving", "send gate",
                                   "append result:dry_run", "done"));
    EXPECT_EQ(payment_asks, 0u);
    EXPECT_EQ(all<audit::result_record>()[0]->reason, "would pay 100.00 TSD to John Doe");
}

TEST_F(occurrence_machine_test, a_result_the_log_refuses_is_said_to_be_in_doubt_after_a_restart)
{
    load(rent);
    on_append = [](const step::append& a) {
        return a.crash_point == nullptr || std::string(a.crash_point) != "after_result_durable";
    };
    auto steps = run();
    EXPECT_THAT(steps, testing::Contains("say error: rent@2026-12-01T09:00: the outcome could not "
                                         "be recorded; it will be in doubt after a restart"));
    EXPECT_THAT(steps, testing::Not(testing::Contains("confirm")));
    // The intent is durable: the occurrence is handled (in doubt after a restart).
    EXPECT_THAT(steps, testing::Not(testing::Contains(HasSubstr("not handled"))));
}

TEST_F(occurrence_machine_test, an_occurrence_already_handled_does_nothing)
{
    load(rent);
    make_durable({audit::skipped_record{.ref = {"rent", identity(), {}}, .reason = "earlier"}});
    EXPECT_THAT(run(), ElementsAre("done"));
}

TEST_F(occurrence_machine_test, a_stop_before_it_ran_records_it_only_when_its_rule_changed)
{
    load(rent);
    stopping = true;
    EXPECT_THAT(run(), ElementsAre("done"));
    EXPECT_THAT(run(1000, true), ElementsAre("append skipped once", "done"));
}

TEST_F(occurrence_machine_test, an_edit_never_pays_a_period_twice)
{
    load(rent);
    // The rule paid this month already under another minute (its schedule was edited).
    const auto earlier = "rent@2026-12-01T08:00";
    const auto earlier_utc = std::chrono::floor<std::chrono::seconds>(now) - 1h;
    make_durable({audit::intent_record{.ref = {"rent", earlier, earlier_utc},
                                       .payee = "John Doe",
                                       .amount = money::parse_amount("100.00", "TSD").value(),
                                       .idempotency_key = "pm-x",
                                       .prompt = "send"},
                  audit::result_record{.ref = {"rent", earlier, earlier_utc},
                                       .outcome = audit::outcome::completed}});
    EXPECT_THAT(run(), ElementsAre("append denied", "done"));
    EXPECT_EQ(all<audit::denied_record>()[0]->limit, "already_paid_this_period");
}

TEST_F(occurrence_machine_test, a_report_is_asked_after_its_records_and_recorded)
{
    load(balance_report);
    EXPECT_THAT(run(), ElementsAre("ask read", "append report", "done"));
    has_payman = false;
    durable.clear();
    state = std::make_unique<audit::audit_projection>();
    EXPECT_THAT(run(), ElementsAre("append skipped", "done"));
}

// Only a condition's balance read may be answered by a read another occurrence asked at the
// same moment (the driver shares it); a payment and a report's read are each their own.
TEST_F(occurrence_machine_test, only_a_conditions_balance_read_is_shareable)
{
    std::vector<std::string> asks;
    on_ask = [&](const step::ask& a) {
        asks.push_back(fmt::format("{} {}", a.options.read_only ? "read" : "payment",
                                   a.shareable ? "shareable" : "own"));
        return a.options.read_only ? balance_1000 : paid;
    };
    load(rent_if_funded);
    run();
    load(balance_report);
    run();
    EXPECT_THAT(asks, ElementsAre("read shareable", "payment own", "read own"));
}

TEST_F(occurrence_machine_test, keys_are_derived_from_the_client_and_the_identity)
{
    load(rent);
    std::vector<std::string> keys;
    on_ask = [&](const step::ask& a) {
        keys.push_back(a.options.idempotency_key.value_or(""));
        EXPECT_EQ(a.options.occurrence_id, identity());
        return paid;
    };
    run();
    ASSERT_EQ(keys.size(), 1u);
    EXPECT_EQ(keys[0], derive_key("pm-test-client\nrent@2026-12-01T09:00"));
    EXPECT_EQ(all<audit::intent_record>()[0]->idempotency_key, keys[0]);
}

// A crash between any two steps: a restart starts from what was durable (replay marks an
// intent without a result in doubt). Whatever the moment, the payment is asked at most once
// and the occurrence ends handled.
TEST_F(occurrence_machine_test, a_crash_between_any_two_steps_never_pays_twice)
{
    for (const char* rules : {rent, rent_if_funded}) {
        for (std::size_t crash_after = 1; crash_after < 12; ++crash_after) {
            SCOPED_TRACE(testing::Message() << "crash after step " << crash_after);
            durable.clear();
            state = std::make_unique<audit::audit_projection>();
            load(rules);
            payment_asks = 0;
            on_ask = [](const step::ask& a) { return a.options.read_only ? balance_1000 : paid; };
            count_payment_asks();
            run(crash_after);
            // The restart: a new projection from the durable records.
            auto records = std::move(durable);
            durable.clear();
            state = std::make_unique<audit::audit_projection>();
            make_durable(std::move(records));
            const auto in_doubt = state->finish_replay();
            run();
            EXPECT_TRUE(state->handled(identity()));
            if (in_doubt.empty()) {
                EXPECT_EQ(payment_asks, 1u);  // before the crash, or after it
            } else {
                // The intent was durable and no result: whether it was sent or not, the
                // restart never sends it again, and it stays in doubt for the operator.
                EXPECT_LE(payment_asks, 1u);
                EXPECT_EQ(state->find(identity())->state, audit::occurrence_state::in_doubt);
            }
        }
    }
}

// --- a ledger shared by several nodes -----------------------------------------------------

// A step list with each line said shortened to its priority, for the table below.
std::vector<std::string> levels_only(std::vector<std::string> steps)
{
    for (auto& s : steps)
        if (s.starts_with("say ")) s = s.substr(0, s.find(':'));
    return steps;
}

// Every path of a payment through the shared ledger: what the claim, the gate, the payment's
// answer and the ledger's own answers lead to, and what the audit log holds after.
struct shared_case {
    const char* name;
    claim_answer claim{.verdict = claim_verdict::claimed};
    gate_answer gate{.verdict = gate_verdict::passed};
    ask_outcome answer = paid;
    const char* rules = rent;
    std::vector<std::string> steps;
    std::size_t payment_asks = 0;
    // What the audit log holds at the end ("" when nothing).
    std::string last_record;
    std::optional<audit::occurrence_state> state;
};

void PrintTo(const shared_case& c, std::ostream* os)
{
    *os << c.name;
}

class shared_ledger_cases : public occurrence_machine_test,
                            public testing::WithParamInterface<shared_case> {};

TEST_P(shared_ledger_cases, claim_gate_and_result_decide_and_only_a_passed_gate_sends)
{
    const auto& c = GetParam();
    shared_ledger = true;
    load(c.rules);
    on_claim = c.claim;
    on_send_gate = [&](const step::pass_send_gate& g) -> occurrence_event {
        EXPECT_TRUE(g.shared);
        return c.gate;
    };
    on_ask = [&](const step::ask& a) { return a.options.read_only ? balance_1000 : c.answer; };
    if (std::string(c.rules) != rent) on_ask = [](const step::ask&) { return reply("400.00 TSD"); };
    count_payment_asks();
    EXPECT_EQ(levels_only(run()), c.steps);
    EXPECT_EQ(payment_asks, c.payment_asks);
    if (c.last_record.empty()) {
        EXPECT_TRUE(durable.empty());
        EXPECT_FALSE(state->handled(identity()));
    } else {
        ASSERT_FALSE(durable.empty());
        EXPECT_EQ(audit::to_string(audit::type_of(durable.back())), c.last_record);
    }
    if (c.state) {
        EXPECT_EQ(state->find(identity())->state, *c.state);
    }
}

// A manual run (paymand trigger) on a node that does not lead: no leader would run it, so it is
// recorded skipped with what to do, and `trigger` has its answer at once.
TEST_F(occurrence_machine_test, a_manual_run_on_a_node_that_does_not_lead_is_skipped_and_says_where)
{
    shared_ledger = true;
    manual = true;
    load(rent);
    on_claim = claim_answer{claim_verdict::not_leader, "this node does not hold the lease"};
    count_payment_asks();
    EXPECT_EQ(levels_only(run()),
              (std::vector<std::string>{"claim", "say warning", "append skipped", "done"}));
    EXPECT_EQ(payment_asks, 0u);
    ASSERT_EQ(durable.size(), 1u);
    const auto& skipped = std::get<audit::skipped_record>(durable.back());
    EXPECT_EQ(skipped.ref.occurrence, identity());
    EXPECT_THAT(skipped.reason, testing::HasSubstr("run paymand trigger on the node that leads"));
}

std::vector<std::string> through_gate(std::vector<std::string> rest)
{
    std::vector<std::string> steps = {"claim", "limits gate", "append intent reserving",
                                      "shared send gate"};
    steps.insert(steps.end(), rest.begin(), rest.end());
    return steps;
}

const std::vector<std::string> shared_paid_steps =
    through_gate({"ask payment", "payment back", "say info", "append result:completed",
                  "record paid", "confirm", "done"});

using audit::occurrence_state;

INSTANTIATE_TEST_SUITE_P(
    occurrence_machine, shared_ledger_cases,
    testing::Values(
        shared_case{.name = "claimed_and_passed_is_paid_then_recorded_paid",
                    .steps = shared_paid_steps,
                    .payment_asks = 1,
                    .last_record = "result",
                    .state = occurrence_state::completed},
        shared_case{.name = "taken_is_skipped_and_audited",
                    .claim = {claim_verdict::taken, "claimed by pay-2 in epoch 7"},
                    .steps = {"claim", "say info", "append skipped", "done"},
                    .last_record = "skipped",
                    .state = occurrence_state::skipped},
        shared_case{.name = "not_leader_records_nothing_and_leaves_it_to_the_leader",
                    .claim = {claim_verdict::not_leader, "this node does not hold the lease"},
                    .steps = {"claim", "say warning", "done"}},
        shared_case{.name = "a_failed_claim_is_recorded_failed_and_settled",
                    .claim = {claim_verdict::failed, "connection_lost"},
                    .steps = {"claim", "say error", "append failed", "settle failed", "done"},
                    .last_record = "failed",
                    .state = occurrence_state::failed},
        shared_case{
            .name = "a_condition_not_met_settles_the_claim_skipped",
            .rules = rent_if_funded,
            .steps = {"claim", "ask read", "append condition+skipped", "settle skipped", "done"},
            .last_record = "skipped"},
        shared_case{.name = "a_refused_gate_sends_nothing_and_leaves_the_row_to_the_takeover",
                    .gate = {gate_verdict::refused, "the lease's epoch 3 is not current"},
                    .steps = through_gate({"say warning", "append failed", "done"}),
                    .last_record = "failed",
                    .state = occurrence_state::failed},
        shared_case{
            .name = "a_gate_withdrawn_after_commit_sends_nothing_and_records_failed",
            .gate = {gate_verdict::withdrawn, "the trusted window ran out"},
            .steps = through_gate({"say warning", "append failed", "record failed", "done"}),
            .last_record = "failed"},
        shared_case{.name = "a_failed_gate_sends_nothing_and_settles_the_claim_failed",
                    .gate = {gate_verdict::failed, "server_error [40001]"},
                    .steps = through_gate({"say error", "append failed", "settle failed", "done"}),
                    .last_record = "failed"},
        shared_case{
            .name = "a_gate_of_unknown_outcome_is_in_doubt_never_sent",
            .gate = {gate_verdict::unknown, "reply_timeout"},
            .steps = through_gate({"say error", "append in_doubt", "record in_doubt", "done"}),
            .last_record = "in_doubt",
            .state = occurrence_state::in_doubt},
        shared_case{.name = "a_payment_of_unknown_outcome_is_recorded_in_doubt",
                    .answer = failure(payman::error_class::unknown_outcome),
                    .steps = through_gate({"ask payment", "payment back", "append in_doubt",
                                           "record in_doubt", "done"}),
                    .payment_asks = 1,
                    .last_record = "in_doubt",
                    .state = occurrence_state::in_doubt},
        shared_case{.name = "a_refused_payment_is_recorded_failed",
                    .answer = failure(payman::error_class::rejected, 403),
                    .steps = through_gate({"ask payment", "payment back", "append failed",
                                           "record failed", "done"}),
                    .payment_asks = 1,
                    .last_record = "failed"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST_F(occurrence_machine_test, a_gate_of_unknown_outcome_counts_against_limits_and_says_why)
{
    shared_ledger = true;
    load(rent);
    on_send_gate = [](const step::pass_send_gate&) -> occurrence_event {
        return gate_answer{gate_verdict::unknown, "connection_lost: server closed the connection"};
    };
    run();
    ASSERT_EQ(all<audit::in_doubt_record>().size(), 1u);
    EXPECT_THAT(all<audit::in_doubt_record>()[0]->reason,
                HasSubstr("the send gate's outcome is unknown (connection_lost"));
    EXPECT_THAT(lines, testing::Contains(HasSubstr("never sent again")));
    ASSERT_EQ(state->in_doubt().size(), 1u);
}

TEST_F(occurrence_machine_test, a_refused_gate_is_said_at_warning_with_the_reason)
{
    shared_ledger = true;
    load(rent);
    on_send_gate = [](const step::pass_send_gate&) -> occurrence_event {
        return gate_answer{gate_verdict::refused, "this node's lease (epoch 3) is over"};
    };
    auto steps = run();
    EXPECT_THAT(steps, testing::Contains("say warning: rent@2026-12-01T09:00: not sent: the send "
                                         "gate refused: this node's lease (epoch 3) is over"));
    EXPECT_THAT(all<audit::failed_record>()[0]->reason,
                HasSubstr("not sent: the send gate refused: this node's lease (epoch 3) is over"));
}

TEST_F(occurrence_machine_test, a_limit_denied_in_shared_mode_settles_the_claim_skipped)
{
    shared_ledger = true;
    load(rent);
    policy.limits.enabled = true;
    policy.limits.currencies["TSD"] = {};
    policy.limits.currencies["TSD"].per_transaction = 5000;
    EXPECT_THAT(run(),
                ElementsAre("claim", "limits gate", "append denied", "settle skipped", "done"));
}

TEST_F(occurrence_machine_test, an_intent_the_log_refuses_settles_the_claim_failed)
{
    shared_ledger = true;
    load(rent);
    on_append = [](const step::append& a) { return !a.reserve; };
    auto steps = levels_only(run());
    EXPECT_THAT(steps, ElementsAre("claim", "limits gate", "append intent reserving", "say error",
                                   "settle failed", "say error", "keep failed", "done"));
}

TEST_F(occurrence_machine_test, a_result_the_shared_ledger_refuses_is_said_and_confirmed_still)
{
    shared_ledger = true;
    load(rent);
    on_ledger = {.done = false, .why = "connection_lost"};
    auto steps = levels_only(run());
    EXPECT_EQ(steps,
              through_gate({"ask payment", "payment back", "say info", "append result:completed",
                            "record paid", "say error", "confirm", "done"}));
    EXPECT_THAT(lines.back(), HasSubstr("could not be recorded in the shared ledger"));
}

TEST_F(occurrence_machine_test, a_claim_the_shared_ledger_does_not_settle_is_said)
{
    shared_ledger = true;
    load(rent_if_funded);
    on_ask = [](const step::ask&) { return reply("400.00 TSD"); };
    on_ledger = {.done = false, .why = "not this node's claim"};
    EXPECT_THAT(levels_only(run()), ElementsAre("claim", "ask read", "append condition+skipped",
                                                "settle skipped", "say warning", "done"));
}

TEST_F(occurrence_machine_test, a_stop_after_the_claim_with_nothing_recorded_leaves_the_claim)
{
    shared_ledger = true;
    load(rent_if_funded);
    auto m = machine();
    auto next = m.start({.now = now});
    EXPECT_EQ(describe(next), "claim");
    next = m.resume(claim_answer{.verdict = claim_verdict::claimed}, {.now = now});
    EXPECT_EQ(describe(next), "ask read");
    // The engine stops while the balance is read: nothing recorded, no settle (the next
    // takeover releases the row, as a restart runs the occurrence again).
    next = m.resume(event::answered{failure(payman::error_class::not_sent), 0},
                    {.now = now, .stopping = true});
    EXPECT_EQ(describe(next), "append condition+skipped");
}

TEST_F(occurrence_machine_test, a_shared_gate_answered_as_a_single_nodes_never_sends)
{
    shared_ledger = true;
    load(rent);
    count_payment_asks();
    on_send_gate = [](const step::pass_send_gate&) -> occurrence_event { return event::passed{}; };
    run();
    EXPECT_EQ(payment_asks, 0u);
    EXPECT_THAT(all<audit::failed_record>()[0]->reason, HasSubstr("gate was not asked"));
}

TEST_F(occurrence_machine_test, a_single_node_never_claims_nor_records_in_a_ledger)
{
    load(rent);
    for (const auto& s : run()) {
        EXPECT_NE(s, "claim");
        EXPECT_NE(s, "shared send gate");
        EXPECT_FALSE(s.starts_with("record ") || s.starts_with("settle "));
    }
}

TEST(ledger_end_of, maps_each_result_to_the_rows_end)
{
    const audit::occurrence_ref r{"rent", "rent@x", {}};
    EXPECT_EQ(ledger_end_of(audit::result_record{.ref = r, .outcome = audit::outcome::completed}),
              ledger_end::paid);
    EXPECT_EQ(ledger_end_of(audit::result_record{.ref = r, .outcome = audit::outcome::failed}),
              ledger_end::failed);
    EXPECT_EQ(ledger_end_of(audit::result_record{.ref = r, .outcome = audit::outcome::unclear}),
              ledger_end::in_doubt);
    EXPECT_EQ(ledger_end_of(audit::result_record{.ref = r, .outcome = audit::outcome::needs_input}),
              ledger_end::in_doubt);
    EXPECT_EQ(ledger_end_of(audit::failed_record{.ref = r, .reason = "x", .attempts = 1}),
              ledger_end::failed);
    EXPECT_EQ(ledger_end_of(audit::in_doubt_record{.ref = r, .reason = "x"}), ledger_end::in_doubt);
    EXPECT_EQ(ledger_end_of(audit::mismatch_record{.ref = r}), ledger_end::in_doubt);
}

}  // namespace
}  // namespace paymand::engine
