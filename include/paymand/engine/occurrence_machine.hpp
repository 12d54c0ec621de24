#pragma once

// One occurrence of a rule as a state machine without I/O: every decision about it (the
// condition and its records, the limits, the intent, which failed asks may be retried, in
// doubt, what a reply means) is made here; a driver only performs the steps it asks for and
// reports what came of them:
//
//   occurrence_machine m(context);
//   auto next = m.start(moment);
//   while (!std::holds_alternative<step::done>(next))
//       next = m.resume(perform(next), moment);
//
// For a payment the steps are, in order (any may end the occurrence with a record; a failed
// ask that may be retried is followed by say, wait and the same ask again):
//
//   ask (read-only, per wallet of the condition)   -> answered
//   pass_limits_gate                               -> passed       (the limits are then checked)
//   append intent (durable, reserving the amount)  -> appended
//   pass_send_gate                                 -> passed / refused
//   ask (the payment)                              -> answered     [retried only if not sent]
//   payment_back                                   -> performed
//   append result (must be recorded)               -> appended
//   await_confirmation                             -> performed
//   done
//
// With a ledger shared by several nodes (`shared_ledger`, occurrence_gate.hpp) a payment is
// claimed first (claim -> claim_answer), the send gate is the fenced `claimed -> sending`
// update (pass_send_gate{shared} -> gate_answer), the result is recorded in the ledger after
// it is in the audit log (record_end -> ledger_answer), and a claim that ends without a send
// is settled (settle_unsent -> ledger_answer).
//
// The gates are where a driver holds the occurrence back: the confirmation gate of a burst,
// and with a shared ledger the fenced update before the send. The machine reads the audit
// projection and the spending ledger it is given (both current when it is resumed) and never
// changes them: records change them once the driver has made them durable. Times come in with each
// resume; nothing here sleeps or reads a clock.

#include "paymand/audit/projection.hpp"
#include "paymand/audit/record.hpp"
#include "paymand/config/daemon_config.hpp"
#include "paymand/core/error.hpp"
#include "paymand/engine/agent.hpp"
#include "paymand/engine/clock.hpp"
#include "paymand/engine/confirm.hpp"
#include "paymand/engine/occurrence_gate.hpp"
#include "paymand/limits/spending_ledger.hpp"
#include "paymand/money/amount.hpp"
#include "paymand/prompt/memo_tag.hpp"
#include "paymand/prompt/prompt_set.hpp"
#include "paymand/rules/rule.hpp"
#include "paymand/schedule/occurrence.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace paymand::engine {

// Balances used instead of asking Payman (dry-run offline, simulate): by wallet name, with
// `fallback` for any wallet not listed (and for the default wallet).
struct assumed_balances {
    std::map<std::string, money::amount, std::less<>> wallets;
    std::optional<money::amount> fallback;
};

// Appended to the identity of an occurrence run by `paymand trigger`.
inline constexpr std::string_view manual_suffix = "~manual";

// The reconciliation tag of an occurrence: pm:<rule>:<YYYYMMDD>T<HHMM> of its local time,
// with a final "m" for a manual run, so that a manual run and the scheduled occurrence of the
// same minute never share a tag.
prompt::memo_tag occurrence_tag(std::string_view rule_id, schedule::local_minutes local,
                                bool manual);

// An idempotency key derived from `material` ("pm-" and 32 hex digits of its SHA-256): the
// same material always gives the same key.
std::string derive_key(std::string_view material);

// How a result written to the audit log ends the occurrence's row in a shared ledger: completed
// is paid, a failure failed, anything else (in doubt, mismatch, needs input, unclear) in doubt.
ledger_end ledger_end_of(const audit::record_body& result);

// What a machine is about: the occurrence, and everything of the engine's settings that its
// decisions read. The references must outlive the machine.
struct occurrence_context {
    const rules::rule& rule;
    schedule::occurrence occ;
    std::string identity;
    bool manual = false;
    const config::engine_config& settings;
    const rules::policy& policy;
    const prompt::prompt_set& prompts;
    std::string_view client_id;
    bool dry_run = false;
    bool has_payman = true;
    const assumed_balances* assumed = nullptr;
    bool confirm = false;  // completed payments are confirmed from a transaction listing
    // Payments are claimed and pass the fenced gate of a ledger shared by several nodes.
    bool shared_ledger = false;
    // The audit state and the spending ledger, current whenever the machine is resumed.
    const audit::audit_projection& state;
    const limits::spending_ledger& ledger;
};

// The steps a machine asks its driver to perform.
namespace step {

// An ask of Payman's agent; `options.read_only` tells a read from a payment.
struct ask {
    std::string text;
    payman::ask_options options;
    // A balance read: occurrences that ask the same text at the same moment may share one
    // ask (each still sees a balance read after it asked). A payment or report is its own.
    bool shareable = false;
};
// Appends records in one batch. Durable by `deadline` (retrying while the audit log refuses
// writes); without a deadline, one attempt. `reserve`: the amount counts against limits from
// before the append until it is durable (then the audit state counts it) or refused.
// `crash_point`: the crash harness's name for the moment just after the batch is durable.
struct append {
    std::vector<audit::record_body> records;
    std::optional<sys_time> deadline;
    std::optional<limits::payment_record> reserve;
    const char* crash_point = nullptr;
    // The occurrence ended without paying: what the limits count must be read again.
    bool ends_unpaid = false;
};
// Waits this long (real time: backoff is about the server, not the schedule).
struct wait {
    sys_time::duration delay;
};
// Before the limits are checked: payments in flight are counted and confirmations caught up.
struct pass_limits_gate {};
// Before the payment is sent, its intent durable: the last moment to hold it back. `shared`:
// through the shared ledger's fenced gate (answered with a gate_answer).
struct pass_send_gate {
    bool shared = false;
    limits::payment_record payment;  // what it pays, written into the shared ledger's row
};
// Claims the occurrence's row in the shared ledger (answered with a claim_answer).
struct claim {
    std::string rule;
};
// Ends the occurrence's claimed row without a send (answered with a ledger_answer).
struct settle_unsent {
    ledger_end end = ledger_end::failed;
};
// Records the result of a send in the shared ledger (answered with a ledger_answer).
struct record_end {
    ledger_end end = ledger_end::in_doubt;
};
// The payment's ask is over (answered or given up): its place among payments sent.
struct payment_back {};
// A line for the journal, part of the operator's contract.
struct say {
    enum class level { info, warning, error } priority = level::info;
    std::string text;
};
// Records that stay true whenever they are written: written once the audit log takes writes
// again (the occurrence's own attempts ran out).
struct keep {
    std::vector<audit::record_body> records;
};
// A completed payment to be confirmed from a transaction listing.
struct await_confirmation {
    audit::occurrence_ref ref;
    sought_payment sought;
};
struct done {};

}  // namespace step

using occurrence_step =
    std::variant<step::ask, step::append, step::wait, step::pass_limits_gate, step::pass_send_gate,
                 step::payment_back, step::say, step::keep, step::await_confirmation, step::claim,
                 step::settle_unsent, step::record_end, step::done>;

// What came of a step.
namespace event {
struct answered {
    ask_outcome outcome;
    std::uint32_t jitter = 0;  // a uniform draw in [0, 1,000,000) for the retry backoff
};
struct appended {
    bool durable = false;
};
struct passed {};
struct refused {
    std::string why;
};
struct performed {};  // wait, payment_back, say, keep, await_confirmation
}  // namespace event

using occurrence_event =
    std::variant<event::answered, event::appended, event::passed, event::refused, event::performed,
                 claim_answer, gate_answer, ledger_answer>;

// The moment of a resume: the clock, and whether the engine is stopping.
struct occurrence_moment {
    sys_time now;
    bool stopping = false;
};

class occurrence_machine {
public:
    explicit occurrence_machine(occurrence_context context);

    // The first step. `definition_replaced`: the rule changed since the occurrence was planned
    // (only read when the engine is stopping).
    occurrence_step start(occurrence_moment at, bool definition_replaced = false);
    // The next step, given what came of the last one.
    occurrence_step resume(occurrence_event what, occurrence_moment at);

    const occurrence_context& context() const noexcept { return c_; }
    audit::occurrence_ref ref() const;

private:
    enum class stage {
        idle,
        claiming,          // the shared ledger's claim is out
        asking,            // an ask is out
        retry_wait,        // waiting before the ask's next attempt
        report_condition,  // a report's condition records are being written
        limits_gate,
        intent_written,
        send_gate,
        payment_back,
        result_written,
        recording_end,  // the result is being recorded in the shared ledger
        end_recorded,   // then: what follows the result's append (result_recorded())
        settling,       // the claim is being ended without a send
        closing,        // the occurrence's last append is out: finish() once it is done
        saying,         // a line is being said; then_step_ and then_stage_ follow
        ending,         // the occurrence's last append is done: finish()
        over,
    };
    enum class purpose { balance, report, payment };

    occurrence_step begin_condition();
    occurrence_step next_wallet();
    void note_balance(std::optional<money::amount> value, std::string unclear);
    occurrence_step balance_answered(const ask_outcome& outcome);
    occurrence_step condition_decided();
    occurrence_step after_condition();
    occurrence_step ask_report();
    occurrence_step report_answered(const ask_outcome& outcome);
    occurrence_step begin_payment();
    occurrence_step check_limits();
    core::result<std::string> payment_memo() const;
    occurrence_step send();
    occurrence_step payment_answered(const ask_outcome& outcome);
    step::append result_step(audit::record_body body) const;
    occurrence_step record_result(audit::record_body body);
    occurrence_step result_appended(bool durable);
    occurrence_step result_recorded(bool durable);
    occurrence_step finish();

    // The shared ledger's paths (occurrence_shared.cpp).
    occurrence_step claimed(const claim_answer& answer);
    occurrence_step gate_answered(const gate_answer& answer);
    occurrence_step end_recorded(const ledger_answer& answer);
    occurrence_step settled(const ledger_answer& answer);

    occurrence_step ask(std::string text, payman::ask_options options, purpose why);
    occurrence_step answered(event::answered a);
    // The retry decision for a failed ask: a wait, or nothing when the failure is final.
    std::optional<step::wait> retry_after(const payman::client_error& e,
                                          std::uint32_t jitter) const;
    occurrence_step append(std::vector<audit::record_body> records, stage then,
                           std::optional<sys_time> deadline);
    // Says a line; once it is said, `next` follows in stage `then` (in stage ending: finish()).
    occurrence_step say(step::say::level priority, std::string text, stage then,
                        occurrence_step next = step::done{});

    const rules::pay_action& pay() const;
    // The payment as limits count it (status: in doubt until its result is known).
    limits::payment_record payment_record() const;
    std::string read_key(std::string_view purpose) const;
    std::string payment_key() const;

    occurrence_context c_;
    stage stage_ = stage::idle;
    occurrence_moment at_{};
    sys_time deadline_{};
    // What follows a line being said.
    occurrence_step then_step_ = step::done{};
    stage then_stage_ = stage::over;
    // Records of this occurrence not yet written: they go into its next append.
    std::vector<audit::record_body> pending_;
    // The condition's readings, wallet by wallet.
    std::vector<std::string> wallets_;
    std::size_t wallet_ = 0;
    std::map<std::string, money::amount, std::less<>> balances_;
    std::vector<audit::record_body> condition_records_;
    bool condition_clear_ = true;
    // The ask in progress and its attempts so far.
    std::optional<step::ask> asking_;
    purpose purpose_ = purpose::balance;
    unsigned attempts_ = 0;
    std::string prompt_;  // the payment's prompt, once rendered
    std::optional<ask_outcome> payment_outcome_;
    bool confirm_after_ = false;  // the result is a completed payment to confirm
    // The shared ledger: the row is this node's claim, to be settled if nothing is sent; how
    // it ends then; the result to record there once the audit log has it.
    bool row_claimed_ = false;
    ledger_end unsent_end_ = ledger_end::failed;
    bool gate_opened_ = false;
    std::optional<ledger_end> ledger_result_;
    bool result_durable_ = false;
};

}  // namespace paymand::engine
