#include "paymand/daemon/trigger_outcome.hpp"

#include "paymand/audit/attention.hpp"
#include "paymand/audit/projection.hpp"
#include "paymand/money/amount.hpp"
#include "paymand/text/display.hpp"

#include <boost/json.hpp>

#include <fmt/format.h>

namespace paymand::daemon {

trigger_outcome describe_trigger(std::string_view identity,
                                 const std::vector<audit::record>& records)
{
    audit::audit_projection projection;
    std::optional<audit::outcome_line> last;
    for (const auto& r : records) {
        const auto* ref = audit::occurrence_of(r.body);
        if (ref == nullptr || ref->occurrence != identity) continue;
        projection.apply(r);
        if (auto line = audit::describe_outcome(r)) last = std::move(line);
    }
    const auto* o = projection.find(identity);
    const auto name = text::escape_for_display(identity);
    if (o == nullptr || !last || o->state == audit::occurrence_state::in_flight)
        return {exit_in_doubt,
                fmt::format("{}: no outcome was recorded; if an intent was, it is in doubt "
                            "(paymand audit tail, paymand status)",
                            name),
                o == nullptr ? "none" : std::string(audit::to_string(o->state))};
    using audit::occurrence_state;
    const auto state = o->state;
    const std::string word(audit::to_string(state));
    // Unconfirmed: paid by the agent's word, not shown by the ledger: as open as in doubt.
    if (audit::needs_operator(state) || state == occurrence_state::unconfirmed)
        return {exit_in_doubt, last->text, word};
    if (state == occurrence_state::denied) return {exit_denied, last->text, word};
    switch (audit::attention_of(state)) {
    case audit::attention::error:
        return {exit_not_paid, last->text, word};
    case audit::attention::warning:
        return {exit_not_run, last->text, word};
    case audit::attention::none:
        break;
    }
    if (o->payment && audit::counts_as_spending(state) && state != occurrence_state::dry_run)
        return {exit_ok,
                fmt::format("{}: paid {} to {}", name, money::format_with_code(o->payment->amount),
                            text::escape_for_display(o->payment->payee)),
                word};
    return {exit_ok, last->text, word};
}

std::string trigger_json(std::string_view identity, const trigger_outcome& outcome,
                         bool run_by_daemon)
{
    boost::json::object out{{"occurrence", identity},
                            {"state", outcome.state},
                            {"exit_code", outcome.exit_code},
                            {"outcome", outcome.line},
                            {"run_by_daemon", run_by_daemon}};
    return boost::json::serialize(out);
}

}  // namespace paymand::daemon
