#include "paymand/audit/attention.hpp"

#include "paymand/text/display.hpp"
#include "paymand/text/word_table.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace paymand::audit {

attention attention_of(occurrence_state s) noexcept
{
    if (needs_operator(s)) return attention::error;
    switch (s) {
    case occurrence_state::failed:
    case occurrence_state::denied:
    case occurrence_state::missed:
    case occurrence_state::unconfirmed:  // paid by the agent's word only: look it up
        return attention::error;
    case occurrence_state::skipped:
    case occurrence_state::reopened:  // handed back to run again: worth a look, not an error
        return attention::warning;
    default:
        return attention::none;
    }
}

namespace {

constexpr auto attention_words = text::make_word_table<attention>({
    {attention::none, "none"},
    {attention::warning, "warning"},
    {attention::error, "error"},
});

}  // namespace

std::string_view to_string(attention a) noexcept
{
    return attention_words.word(a, "none");
}

std::optional<occurrence_state> outcome_state(const record& r)
{
    // A listing's verdict on a completed payment: it settles an occurrence already known.
    if (std::holds_alternative<confirmed_record>(r.body)) return occurrence_state::confirmed;
    if (std::holds_alternative<unconfirmed_record>(r.body)) return occurrence_state::unconfirmed;
    if (std::holds_alternative<reopened_record>(r.body)) return occurrence_state::reopened;
    switch (type_of(r.body)) {
    case record_type::result:
    case record_type::skipped:
    case record_type::denied:
    case record_type::missed:
    case record_type::failed:
    case record_type::in_doubt:
    case record_type::mismatch:
    case record_type::report:
        break;
    default:
        return std::nullopt;
    }
    // The projection's transitions, for the record alone.
    if (occurrence_of(r.body) == nullptr) return std::nullopt;
    return next_state(std::nullopt, false, summarize(r)).next;
}

const std::string* unclean_reason(const record_body& body) noexcept
{
    return std::visit(
        [](const auto& b) -> const std::string* {
            using T = std::decay_t<decltype(b)>;
            if constexpr (std::is_same_v<T, result_record>) {
                return b.outcome != outcome::completed && b.reason ? &*b.reason : nullptr;
            } else if constexpr (std::is_same_v<T, skipped_record> ||
                                 std::is_same_v<T, denied_record> ||
                                 std::is_same_v<T, missed_record> ||
                                 std::is_same_v<T, failed_record> ||
                                 std::is_same_v<T, in_doubt_record> ||
                                 std::is_same_v<T, mismatch_record> ||
                                 std::is_same_v<T, unconfirmed_record> ||
                                 std::is_same_v<T, reopened_record>) {
                return &b.reason;
            } else {
                return nullptr;
            }
        },
        body);
}

const std::string* unclean_excerpt(const record_body& body) noexcept
{
    if (const auto* r = std::get_if<result_record>(&body))
        return r->outcome != outcome::completed && !r->excerpt.empty() ? &r->excerpt : nullptr;
    if (const auto* m = std::get_if<mismatch_record>(&body))
        return m->excerpt.empty() ? nullptr : &m->excerpt;
    if (const auto* r = std::get_if<report_record>(&body))
        return r->outcome != outcome::completed && !r->excerpt.empty() ? &r->excerpt : nullptr;
    return nullptr;
}

std::string quote_excerpt(std::string_view excerpt, std::size_t code_points)
{
    std::string out = "\"";
    const auto used = text::append_escaped(out, excerpt, {.code_points = code_points});
    out += used < excerpt.size() ? "...\"" : "\"";
    return out;
}

std::optional<outcome_line> describe_outcome(const record& r)
{
    const auto state = outcome_state(r);
    const auto* ref = occurrence_of(r.body);
    if (!state || ref == nullptr || *state == occurrence_state::in_flight) return std::nullopt;
    outcome_line line{.state = *state, .attention = attention_of(*state), .text = {}};
    std::string word(to_string(*state));
    if (line.attention == attention::error) {
        std::replace(word.begin(), word.end(), '_', ' ');
        std::transform(word.begin(), word.end(), word.begin(),
                       [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    }
    line.text = text::escape_for_display(ref->occurrence) + ": " + word;
    const auto* result = std::get_if<result_record>(&r.body);
    if (const auto* reason = unclean_reason(r.body)) {
        line.text += ": " + text::escape_for_display(*reason);
    } else if (result != nullptr && result->reason) {
        line.text += ": " + text::escape_for_display(*result->reason);
    }
    if (const auto* excerpt = unclean_excerpt(r.body))
        line.text += "; reply: " + quote_excerpt(*excerpt);
    if (const auto* c = std::get_if<confirmed_record>(&r.body))
        line.text += ": the transaction listing shows it: " + quote_excerpt(c->evidence);
    if (needs_operator(*state))
        line.text += fmt::format("; never re-sent: check Payman, then `paymand audit resolve {} "
                                 "--paid|--not-paid --note ...`",
                                 text::escape_for_display(ref->occurrence));
    return line;
}

}  // namespace paymand::audit
