// The occurrence machine's paths through a ledger shared by several nodes (see
// occurrence_machine.hpp and docs/ha.md): the claim, the fenced send gate, the result recorded
// there, and a claim ended without a send.

#include "paymand/engine/occurrence_machine.hpp"

#include <fmt/format.h>

namespace paymand::engine {

// Before anything is decided about a payment: the row must be this node's. Another claim (or
// a settled row) makes it a skip, audited as such; a node without the lease leaves a scheduled
// one to the leader and records nothing, and skips a manual one (recorded: no leader runs it); a
// claim that failed may have committed, so the row is settled as failed after the failure is
// recorded (nothing was sent).
occurrence_step occurrence_machine::claimed(const claim_answer& answer)
{
    std::vector<audit::record_body> records;
    switch (answer.verdict) {
    case claim_verdict::claimed:
        row_claimed_ = true;
        return begin_condition();
    case claim_verdict::taken:
        records.push_back(audit::skipped_record{
            .ref = ref(), .reason = "held by another node in the shared ledger: " + answer.why});
        unsent_end_ = ledger_end::skipped;
        return say(step::say::level::info,
                   fmt::format("{}: not run here: held by another node in the shared ledger: {}",
                               c_.identity, answer.why),
                   stage::closing,
                   step::append{.records = std::move(records), .deadline = deadline_});
    case claim_verdict::not_leader:
        if (c_.manual) {
            // No leader runs an operator's manual run: said and recorded, so `trigger` answers.
            auto why = "not run: this node does not lead (" + answer.why +
                       "); a manual run is not handed to the leader: run paymand trigger on the "
                       "node that leads (paymand status names it)";
            records.push_back(audit::skipped_record{.ref = ref(), .reason = why});
            return say(step::say::level::warning, fmt::format("{}: {}", c_.identity, why),
                       stage::closing,
                       step::append{.records = std::move(records), .deadline = deadline_});
        }
        return say(step::say::level::warning,
                   fmt::format("{}: not run by this node: {}; the leader runs it", c_.identity,
                               answer.why),
                   stage::over);
    case claim_verdict::failed:
        break;
    }
    row_claimed_ = true;  // it may have committed
    records.push_back(audit::failed_record{
        .ref = ref(),
        .reason = "not sent: the claim in the shared ledger failed: " + answer.why,
        .attempts = 0});
    return say(step::say::level::error,
               fmt::format("{}: not paid: the claim in the shared ledger failed: {}", c_.identity,
                           answer.why),
               stage::closing, step::append{.records = std::move(records), .deadline = deadline_});
}

// The fenced gate answered. Only `passed` sends. A refusal leaves the row to the takeover
// that ended this node's term (it releases it, and the leader runs it); an unknown outcome may
// have committed `sending`, so the occurrence is in doubt here and there, never sent again.
occurrence_step occurrence_machine::gate_answered(const gate_answer& answer)
{
    const auto line = [&](step::say::level level, std::string text, audit::record_body body) {
        return say(level, fmt::format("{}: {}", c_.identity, text), stage::result_written,
                   result_step(std::move(body)));
    };
    const auto not_sent = [&](std::string why) {
        return audit::failed_record{.ref = ref(), .reason = "not sent: " + why, .attempts = 0};
    };
    switch (answer.verdict) {
    case gate_verdict::passed:
        row_claimed_ = false;
        gate_opened_ = true;
        return send();
    case gate_verdict::refused: {
        row_claimed_ = false;
        auto why = "the send gate refused: " + answer.why;
        return line(step::say::level::warning, "not sent: " + why, not_sent(why));
    }
    case gate_verdict::withdrawn: {
        row_claimed_ = false;
        ledger_result_ = ledger_end::failed;  // the row is `sending`: it ends failed
        auto why = "the send gate passed, but " + answer.why;
        return line(step::say::level::warning, "not sent: " + why, not_sent(why));
    }
    case gate_verdict::failed: {
        auto why = "the send gate failed: " + answer.why;  // the claim is settled after
        return line(step::say::level::error, "not sent: " + why, not_sent(why));
    }
    case gate_verdict::unknown:
        break;
    }
    row_claimed_ = false;
    ledger_result_ = ledger_end::in_doubt;
    auto why = fmt::format("the send gate's outcome is unknown ({}): nothing was sent, but the "
                           "shared ledger may show it being sent; it is never sent again",
                           answer.why);
    return line(step::say::level::error, "in doubt: " + why,
                audit::in_doubt_record{.ref = ref(), .reason = why});
}

// The result is in the audit log; the ledger's copy failed: the row stays `sending` there and
// the next takeover puts it in doubt (never sent again). Said, then on as without a ledger.
occurrence_step occurrence_machine::end_recorded(const ledger_answer& answer)
{
    if (answer.done) return result_recorded(result_durable_);
    return say(step::say::level::error,
               fmt::format("{}: the result could not be recorded in the shared ledger ({}); its "
                           "row stays `sending` and is in doubt after the next takeover",
                           c_.identity, answer.why),
               stage::end_recorded);
}

// A claim ended without a send. Not settled: the row stays claimed by this node's term and
// the next takeover releases it.
occurrence_step occurrence_machine::settled(const ledger_answer& answer)
{
    if (answer.done) return finish();
    return say(step::say::level::warning,
               fmt::format("{}: its claim in the shared ledger could not be ended ({}); the next "
                           "takeover releases it",
                           c_.identity, answer.why),
               stage::ending);
}

}  // namespace paymand::engine
