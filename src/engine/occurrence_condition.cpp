// The occurrence machine's condition and report paths (see occurrence_machine.hpp).

#include "paymand/engine/occurrence_machine.hpp"
#include "paymand/reply/balance.hpp"
#include "paymand/rules/condition.hpp"

namespace paymand::engine {

namespace {

money::currency condition_unit(const rules::rule& rule)
{
    if (const auto* pay = rule.payment()) return pay->amount.unit();
    return std::get<rules::balance_condition>(*rule.when).threshold.unit();
}

}  // namespace

// Reads the balances the rule's condition needs, one wallet after the other; an unclear
// reading makes the condition unclear, which counts as not met.
occurrence_step occurrence_machine::begin_condition()
{
    if (!c_.rule.when) return after_condition();
    wallets_ = rules::wallets_needed(*c_.rule.when);
    wallet_ = 0;
    return next_wallet();
}

occurrence_step occurrence_machine::next_wallet()
{
    for (; wallet_ < wallets_.size(); ++wallet_) {
        const auto& wallet = wallets_[wallet_];
        if (c_.assumed != nullptr) {
            auto it = c_.assumed->wallets.find(wallet);
            if (it != c_.assumed->wallets.end())
                note_balance(it->second, {});
            else if (c_.assumed->fallback)
                note_balance(*c_.assumed->fallback, {});
            else
                note_balance(std::nullopt, "no assumed balance for wallet " + wallet);
            continue;
        }
        if (!c_.has_payman) {
            note_balance(std::nullopt, "no connection to Payman to read the balance");
            continue;
        }
        auto text = c_.prompts.render_balance(std::optional<std::string_view>(wallet));
        if (!text) {
            note_balance(std::nullopt, text.error().message);
            continue;
        }
        payman::ask_options options;
        options.idempotency_key = read_key("balance " + wallet);
        return ask(std::move(*text), std::move(options), purpose::balance);
    }
    return condition_decided();
}

occurrence_step occurrence_machine::balance_answered(const ask_outcome& outcome)
{
    if (!outcome) {
        note_balance(std::nullopt, "balance ask failed: " + outcome.error().what());
    } else {
        auto reading =
            reply::read_balance(outcome->reply_text(),
                                {.wallet = wallets_[wallet_], .currency = condition_unit(c_.rule)});
        if (reading.clear())
            note_balance(reading.value, {});
        else
            note_balance(std::nullopt, reading.explanation);
    }
    ++wallet_;
    return next_wallet();
}

void occurrence_machine::note_balance(std::optional<money::amount> value, std::string unclear)
{
    const auto& wallet = wallets_[wallet_];
    if (value) {
        balances_.emplace(wallet, *value);
        return;
    }
    condition_records_.push_back(
        audit::condition_record{.ref = ref(),
                                .condition = rules::describe(*c_.rule.when),
                                .wallet = wallet,
                                .balance = std::nullopt,
                                .unclear_reason = audit::make_excerpt(unclear, 512),
                                .met = false});
    condition_clear_ = false;
}

// Met: the condition record waits in `pending_`, to be written with the occurrence's next
// append (the intent, usually): nothing is sent in between, and an occurrence whose records a
// crash lost simply runs again, so it needs no fsync of its own. Not met or unclear: the
// condition and skipped records end the occurrence.
occurrence_step occurrence_machine::condition_decided()
{
    const auto& when = *c_.rule.when;
    std::string reason =
        "condition unclear: the balance could not be read, so it counts as not met";
    bool met = false;
    if (condition_clear_) {
        rules::condition_facts facts;
        if (const auto* pay = c_.rule.payment()) facts.payment = pay->amount;
        facts.balances.insert(balances_.begin(), balances_.end());
        auto result = rules::evaluate(when, facts);
        met = result.met;
        reason = result.explanation;
        std::optional<std::string> wallet;
        std::optional<money::amount> balance;
        if (!balances_.empty()) {
            wallet = balances_.begin()->first;
            balance = balances_.begin()->second;
        }
        condition_records_.push_back(audit::condition_record{.ref = ref(),
                                                             .condition = rules::describe(when),
                                                             .wallet = wallet,
                                                             .balance = balance,
                                                             .unclear_reason = std::nullopt,
                                                             .met = met});
    }
    auto records = std::exchange(condition_records_, {});
    if (met) {
        for (auto& r : records) pending_.push_back(std::move(r));
        return after_condition();
    }
    records.push_back(audit::skipped_record{.ref = ref(), .reason = reason});
    return append(std::move(records), stage::ending, deadline_);
}

occurrence_step occurrence_machine::after_condition()
{
    if (c_.rule.payment() != nullptr) return begin_payment();
    // A report is asked after its condition's records are written.
    if (!pending_.empty())
        return append(std::exchange(pending_, {}), stage::report_condition, deadline_);
    return ask_report();
}

occurrence_step occurrence_machine::ask_report()
{
    const auto& report = std::get<rules::report_action>(c_.rule.what);
    core::result<std::string> text = std::string();
    switch (report.what) {
    case rules::report_kind::balance:
        text = c_.prompts.render_balance();
        break;
    case rules::report_kind::transactions:
        text = c_.prompts.render_transactions(c_.settings.reconcile_transactions);
        break;
    case rules::report_kind::payees:
        text = c_.prompts.render_payees();
        break;
    }
    std::vector<audit::record_body> records;
    if (!c_.has_payman) {
        records.push_back(audit::skipped_record{
            .ref = ref(), .reason = "dry run without Payman: report not asked"});
        return append(std::move(records), stage::ending, deadline_);
    }
    if (!text) {
        records.push_back(
            audit::failed_record{.ref = ref(), .reason = text.error().message, .attempts = 0});
        return append(std::move(records), stage::ending, deadline_);
    }
    payman::ask_options options;
    options.idempotency_key = read_key(std::string("report ") + rules::to_string(report.what));
    return ask(std::move(*text), std::move(options), purpose::report);
}

occurrence_step occurrence_machine::report_answered(const ask_outcome& outcome)
{
    std::vector<audit::record_body> records;
    if (!outcome) {
        records.push_back(audit::failed_record{
            .ref = ref(), .reason = outcome.error().what(), .attempts = attempts_});
        return append(std::move(records), stage::ending, deadline_);
    }
    const auto& report = std::get<rules::report_action>(c_.rule.what);
    auto kind = report.what == rules::report_kind::balance        ? audit::report_kind::balance
                : report.what == rules::report_kind::transactions ? audit::report_kind::transactions
                                                                  : audit::report_kind::payees;
    auto result = outcome->state == payman::task_state::completed ? audit::outcome::completed
                  : outcome->state == payman::task_state::failed  ? audit::outcome::failed
                                                                  : audit::outcome::unclear;
    records.push_back(audit::report_record{.ref = ref(),
                                           .kind = kind,
                                           .outcome = result,
                                           .task_id = outcome->task_id,
                                           .excerpt = audit::make_excerpt(outcome->reply_text())});
    return append(std::move(records), stage::ending, deadline_);
}

}  // namespace paymand::engine
