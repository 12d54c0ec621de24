#include "paymand/engine/occurrence_machine.hpp"

#include "paymand/core/sha256.hpp"
#include "paymand/engine/backoff.hpp"

#include <fmt/format.h>

namespace paymand::engine {

std::string derive_key(std::string_view material)
{
    return "pm-" + core::sha256_hex(material).substr(0, 32);
}

occurrence_machine::occurrence_machine(occurrence_context context) : c_(std::move(context)) {}

audit::occurrence_ref occurrence_machine::ref() const
{
    return {c_.rule.id, c_.identity, c_.occ.instant};
}

occurrence_step occurrence_machine::start(occurrence_moment at, bool definition_replaced)
{
    at_ = at;
    deadline_ = at.now + c_.settings.occurrence_timeout;
    const bool handled = c_.state.handled(c_.identity);
    if (!handled && !at.stopping) {
        if (!c_.shared_ledger || c_.rule.payment() == nullptr) return begin_condition();
        stage_ = stage::claiming;  // a payment is claimed before anything is decided about it
        return step::claim{c_.rule.id};
    }
    if (!handled && definition_replaced) {
        // Stopped before it could run. A restart would catch it up, but not after its rule
        // changed: the new definition starts at the reload.
        std::vector<audit::record_body> records;
        records.push_back(audit::skipped_record{
            .ref = ref(),
            .reason = "the daemon stopped before this occurrence could run, and its rule was "
                      "changed after it was due; the new definition does not run it"});
        return append(std::move(records), stage::over, std::nullopt);
    }
    return step::done{};
}

occurrence_step occurrence_machine::resume(occurrence_event what, occurrence_moment at)
{
    at_ = at;
    switch (stage_) {
    case stage::claiming:
        return claimed(std::get<claim_answer>(what));
    case stage::asking:
        return answered(std::get<event::answered>(std::move(what)));
    case stage::retry_wait:
        stage_ = stage::asking;
        ++attempts_;
        return *asking_;
    case stage::report_condition:
        return std::get<event::appended>(what).durable ? ask_report() : finish();
    case stage::limits_gate:
        return check_limits();
    case stage::intent_written:
        if (!std::get<event::appended>(what).durable)
            return say(step::say::level::error,
                       fmt::format("{}: not paid: the intent could not be written to the audit "
                                   "log",
                                   c_.identity),
                       stage::ending);
        stage_ = stage::send_gate;
        return step::pass_send_gate{.shared = c_.shared_ledger,
                                    .payment = c_.shared_ledger ? payment_record()
                                                                : limits::payment_record{}};
    case stage::send_gate:
        if (const auto* no = std::get_if<event::refused>(&what))
            return record_result(audit::failed_record{
                .ref = ref(), .reason = "not sent: " + no->why, .attempts = 0});
        if (const auto* gate = std::get_if<gate_answer>(&what)) return gate_answered(*gate);
        if (c_.shared_ledger)  // fail closed: only the shared ledger's gate opens it
            return gate_answered({gate_verdict::failed, "the shared ledger's gate was not asked"});
        return send();
    case stage::payment_back:
        return payment_answered(*payment_outcome_);
    case stage::result_written:
        return result_appended(std::get<event::appended>(what).durable);
    case stage::recording_end:
        return end_recorded(std::get<ledger_answer>(what));
    case stage::settling:
        return settled(std::get<ledger_answer>(what));
    case stage::saying: {
        auto next = std::exchange(then_step_, step::done{});
        stage_ = then_stage_;
        if (stage_ == stage::ending) return finish();
        if (stage_ == stage::end_recorded) return result_recorded(result_durable_);
        return next;
    }
    case stage::ending:
    case stage::closing:
        return finish();
    case stage::end_recorded:
    case stage::idle:
    case stage::over:
        break;
    }
    return step::done{};
}

// The result's append is done: with a shared ledger the result is recorded there next.
occurrence_step occurrence_machine::result_appended(bool durable)
{
    if (!ledger_result_) return result_recorded(durable);
    result_durable_ = durable;
    stage_ = stage::recording_end;
    const auto end = *ledger_result_;
    ledger_result_.reset();
    return step::record_end{end};
}

occurrence_step occurrence_machine::result_recorded(bool durable)
{
    if (!durable)
        return say(step::say::level::error,
                   fmt::format("{}: the outcome could not be recorded; it will be in doubt "
                               "after a restart",
                               c_.identity),
                   stage::ending);
    if (confirm_after_) {
        stage_ = stage::ending;
        const auto* pay = c_.rule.payment();
        return step::await_confirmation{
            .ref = ref(),
            .sought = {occurrence_tag(c_.rule.id, c_.occ.local, c_.manual), pay->amount,
                       pay->payee}};
    }
    return finish();
}

// --- asking, with the retry decision ------------------------------------------------------

occurrence_step occurrence_machine::ask(std::string text, payman::ask_options options, purpose why)
{
    options.occurrence_id = c_.identity;
    options.read_only = why != purpose::payment;
    asking_ = step::ask{std::move(text), std::move(options), why == purpose::balance};
    attempts_ = 1;
    purpose_ = why;
    stage_ = stage::asking;
    return *asking_;
}

std::optional<step::wait> occurrence_machine::retry_after(const payman::client_error& e,
                                                          std::uint32_t jitter) const
{
    if (at_.stopping) return std::nullopt;
    auto delay = retry_delay(c_.settings.retry, e, attempts_, purpose_ != purpose::payment, at_.now,
                             deadline_, jitter);
    if (!delay) return std::nullopt;
    return step::wait{*delay};
}

occurrence_step occurrence_machine::answered(event::answered a)
{
    if (!a.outcome) {
        if (auto wait = retry_after(a.outcome.error(), a.jitter)) {
            return say(
                step::say::level::warning,
                fmt::format(
                    "ask for {} failed ({}); retrying in {} ms", c_.identity,
                    a.outcome.error().what(),
                    std::chrono::duration_cast<std::chrono::milliseconds>(wait->delay).count()),
                stage::retry_wait, *wait);
        }
    }
    switch (purpose_) {
    case purpose::balance:
        return balance_answered(a.outcome);
    case purpose::report:
        return report_answered(a.outcome);
    case purpose::payment:
        payment_outcome_ = std::move(a.outcome);
        stage_ = stage::payment_back;
        return step::payment_back{};
    }
    return step::done{};
}

// --- records and lines --------------------------------------------------------------------

occurrence_step occurrence_machine::append(std::vector<audit::record_body> records, stage then,
                                           std::optional<sys_time> deadline)
{
    for (const auto& r : records)
        if (std::holds_alternative<audit::skipped_record>(r) ||
            std::holds_alternative<audit::denied_record>(r))
            unsent_end_ = ledger_end::skipped;  // a claim that ends here is skipped, not failed
    stage_ = then;
    return step::append{.records = std::move(records), .deadline = deadline};
}

occurrence_step occurrence_machine::say(step::say::level priority, std::string text, stage then,
                                        occurrence_step next)
{
    then_step_ = std::move(next);
    then_stage_ = then;
    stage_ = stage::saying;
    return step::say{.priority = priority, .text = std::move(text)};
}

// Every path ends here: an occurrence that could not record anything before its deadline
// (the audit log refused every write) sent nothing; it says so once the log takes writes.
// A stop leaves it to the next start, which finds it from the gap.
occurrence_step occurrence_machine::finish()
{
    const bool handled = c_.state.handled(c_.identity);
    if (row_claimed_ && (handled || !at_.stopping)) {
        // A stop before anything was recorded leaves the claim to the next takeover, which
        // releases it: the occurrence runs again, as a restart would run it.
        row_claimed_ = false;
        stage_ = stage::settling;
        return step::settle_unsent{handled ? unsent_end_ : ledger_end::failed};
    }
    stage_ = stage::over;
    if (handled || at_.stopping) return step::done{};
    const std::string why = "the audit log could not be written before the occurrence's "
                            "deadline; nothing was sent";
    std::vector<audit::record_body> records;
    records.push_back(audit::failed_record{.ref = ref(), .reason = why, .attempts = 0});
    return say(step::say::level::error, fmt::format("{}: not handled: {}", c_.identity, why),
               stage::over, step::keep{std::move(records)});
}

std::string occurrence_machine::read_key(std::string_view purpose) const
{
    return derive_key(fmt::format("{}\n{}\n{}", c_.client_id, c_.identity, purpose));
}

std::string occurrence_machine::payment_key() const
{
    return derive_key(fmt::format("{}\n{}", c_.client_id, c_.identity));
}

}  // namespace paymand::engine
