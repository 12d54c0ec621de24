// The occurrence machine's payment path (see occurrence_machine.hpp).

#include "paymand/engine/already_paid.hpp"
#include "paymand/engine/occurrence_machine.hpp"
#include "paymand/limits/check.hpp"
#include "paymand/prompt/memo.hpp"
#include "paymand/reply/payment.hpp"
#include "paymand/rules/payment_limits.hpp"

#include <fmt/format.h>

namespace paymand::engine {

namespace {

std::chrono::year_month_day civil_date(schedule::local_minutes local)
{
    date::year_month_day ymd(date::floor<date::days>(local));
    return std::chrono::year_month_day(std::chrono::year(static_cast<int>(ymd.year())),
                                       std::chrono::month(static_cast<unsigned>(ymd.month())),
                                       std::chrono::day(static_cast<unsigned>(ymd.day())));
}

// An outcome that leaves the occurrence unpaid: what the limits count must be read again.
bool ends_unpaid(const audit::record_body& body)
{
    if (std::holds_alternative<audit::failed_record>(body)) return true;
    const auto* result = std::get_if<audit::result_record>(&body);
    return result != nullptr && result->outcome == audit::outcome::failed;
}

}  // namespace

ledger_end ledger_end_of(const audit::record_body& body)
{
    if (std::holds_alternative<audit::failed_record>(body)) return ledger_end::failed;
    const auto* result = std::get_if<audit::result_record>(&body);
    if (result == nullptr) return ledger_end::in_doubt;  // in_doubt, mismatch
    switch (result->outcome) {
    case audit::outcome::completed:
        return ledger_end::paid;
    case audit::outcome::failed:
        return ledger_end::failed;
    default:
        return ledger_end::in_doubt;  // needs input, unclear: never sent again
    }
}

prompt::memo_tag occurrence_tag(std::string_view rule_id, schedule::local_minutes local,
                                bool manual)
{
    auto tod = date::make_time(local - date::floor<date::days>(local));
    return {.rule_id = std::string(rule_id),
            .date = civil_date(local),
            .hour = static_cast<int>(tod.hours().count()),
            .minute = static_cast<int>(tod.minutes().count()),
            .manual = manual};
}

const rules::pay_action& occurrence_machine::pay() const
{
    return *c_.rule.payment();
}

limits::payment_record occurrence_machine::payment_record() const
{
    const auto& p = pay();
    return {.amount = p.amount.minor_units(),
            .currency = std::string(p.amount.unit().code()),
            .payee = p.payee,
            .instant = c_.occ.instant,
            .status = limits::payment_status::in_doubt};
}

// An edit never pays a period twice; then the payment waits at the limits gate.
occurrence_step occurrence_machine::begin_payment()
{
    if (auto refusal = already_paid(c_.state, c_.rule, c_.occ, c_.identity, c_.manual,
                                    c_.policy.min_pay_interval)) {
        pending_.push_back(std::move(*refusal));
        return append(std::exchange(pending_, {}), stage::ending, deadline_);
    }
    stage_ = stage::limits_gate;
    return step::pass_limits_gate{};
}

// The limits, against the ledger as it stands at the gate; then the intent, durable before
// anything is sent, with the amount counted against limits from before it is written.
occurrence_step occurrence_machine::check_limits()
{
    const auto& p = pay();
    auto decision = limits::check_payment(c_.policy.limits, c_.ledger,
                                          rules::proposed_payment(p, c_.occ.instant));
    if (!decision.allowed) {
        pending_.push_back(audit::denied_record{.ref = ref(),
                                                .limit = rules::limit_label(decision.limit, p),
                                                .reason = decision.reason});
        return append(std::exchange(pending_, {}), stage::ending, deadline_);
    }
    auto memo = payment_memo();
    core::result<std::string> prompt = memo;
    if (memo)
        prompt = c_.prompts.render_pay(
            {.amount = p.amount, .payee = p.payee, .wallet = p.wallet, .memo = *memo});
    if (!prompt) {
        pending_.push_back(audit::failed_record{
            .ref = ref(),
            .reason = "the payment could not be put into words: " + prompt.error().message,
            .attempts = 0});
        return append(std::exchange(pending_, {}), stage::ending, deadline_);
    }
    prompt_ = std::move(*prompt);
    pending_.push_back(audit::intent_record{.ref = ref(),
                                            .payee = p.payee,
                                            .amount = p.amount,
                                            .wallet = p.wallet,
                                            .memo = *memo,
                                            .idempotency_key = payment_key(),
                                            .prompt = prompt_});
    stage_ = stage::intent_written;
    return step::append{.records = std::exchange(pending_, {}),
                        .deadline = deadline_,
                        .reserve = payment_record(),
                        .crash_point = "after_intent_durable"};
}

// The memo sent with a payment: the rule's memo expanded, then the reconciliation tag.
// The prompt module's error when the rule's memo cannot be expanded.
core::result<std::string> occurrence_machine::payment_memo() const
{
    auto tag = prompt::format_memo_tag(occurrence_tag(c_.rule.id, c_.occ.local, c_.manual));
    const auto& memo = pay().memo;
    if (!memo) return tag;
    auto tmpl = prompt::check_memo(*memo, c_.rule.id);
    if (!tmpl) return tmpl.error();
    auto expanded =
        prompt::expand_memo(*tmpl, {.date = civil_date(c_.occ.local), .rule_id = c_.rule.id});
    if (!expanded) return expanded.error();
    return *expanded + " " + tag;
}

// Past the send gate: the payment is asked (or, in a dry run, recorded as what it would be).
occurrence_step occurrence_machine::send()
{
    const auto& p = pay();
    if (c_.dry_run || !c_.has_payman)
        return record_result(audit::result_record{
            .ref = ref(),
            .outcome = audit::outcome::dry_run,
            .reason = fmt::format("would pay {} to {}{}", money::format_with_code(p.amount),
                                  p.payee, p.wallet ? " from " + *p.wallet : "")});
    payman::ask_options options;
    options.idempotency_key = payment_key();
    return ask(prompt_, std::move(options), purpose::payment);
}

// What the answer to the payment's ask means. The agent's prose is read, never trusted: a
// reply that contradicts the intended amount or payee is a mismatch.
occurrence_step occurrence_machine::payment_answered(const ask_outcome& outcome)
{
    if (!outcome) {
        const auto& e = outcome.error();
        if (e.kind == payman::error_class::unknown_outcome)
            return record_result(audit::in_doubt_record{.ref = ref(), .reason = e.what()});
        return record_result(
            audit::failed_record{.ref = ref(), .reason = e.what(), .attempts = attempts_});
    }
    const auto& p = pay();
    auto text = outcome->reply_text();
    auto reading = reply::read_payment(text, outcome->state_text);
    auto excerpt = audit::make_excerpt(text);
    audit::result_record result{.ref = ref(),
                                .outcome = audit::outcome::unclear,
                                .task_id = outcome->task_id,
                                .state = outcome->state_text,
                                .reason = reading.explanation,
                                .excerpt = excerpt};
    switch (reading.outcome) {
    case reply::payment_outcome::completed:
        if (reply::check_claims(reading, p.amount, p.payee) == reply::claim_check::contradicts)
            return record_result(audit::mismatch_record{.ref = ref(),
                                                        .claimed_amount = reading.claimed_figure,
                                                        .claimed_payee = reading.claimed_payee,
                                                        .reason = reading.explanation,
                                                        .excerpt = excerpt});
        result.outcome = audit::outcome::completed;
        confirm_after_ = c_.confirm;
        if (gate_opened_) ledger_result_ = ledger_end::paid;
        return say(step::say::level::info,
                   fmt::format("{}: paid {} to {}", c_.identity, money::format_with_code(p.amount),
                               p.payee),
                   stage::result_written, result_step(std::move(result)));
    case reply::payment_outcome::failed:
        result.outcome = audit::outcome::failed;
        break;
    case reply::payment_outcome::needs_input:
        result.outcome = audit::outcome::needs_input;
        break;
    case reply::payment_outcome::unclear:
        break;
    }
    return record_result(std::move(result));
}

// A result must be recorded whatever the occurrence's deadline: the driver retries until the
// audit log takes it (or the engine stops: replay then finds the intent in doubt).
step::append occurrence_machine::result_step(audit::record_body body) const
{
    const bool unpaid = ends_unpaid(body) && !c_.dry_run;  // a dry run keeps counting
    std::vector<audit::record_body> records;
    records.push_back(std::move(body));
    return step::append{.records = std::move(records),
                        .deadline = at_.now + std::chrono::hours(24 * 365),
                        .crash_point = "after_result_durable",
                        .ends_unpaid = unpaid};
}

occurrence_step occurrence_machine::record_result(audit::record_body body)
{
    if (gate_opened_) ledger_result_ = ledger_end_of(body);
    stage_ = stage::result_written;
    return result_step(std::move(body));
}

}  // namespace paymand::engine
