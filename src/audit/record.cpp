#include "paymand/audit/record.hpp"

#include "paymand/text/utf8.hpp"
#include "paymand/text/word_table.hpp"

#include <algorithm>

namespace paymand::audit {
namespace {

using text::make_word_table;

// The words of the audit log's "type" field and of its enumerated fields: byte-identical to
// what every log ever written holds.
constexpr auto type_words = make_word_table<record_type>({
    {record_type::intent, "intent"},
    {record_type::result, "result"},
    {record_type::skipped, "skipped"},
    {record_type::denied, "denied"},
    {record_type::missed, "missed"},
    {record_type::failed, "failed"},
    {record_type::in_doubt, "in_doubt"},
    {record_type::resolved, "resolved"},
    {record_type::reconciled, "reconciled"},
    {record_type::mismatch, "mismatch"},
    {record_type::condition, "condition"},
    {record_type::report, "report"},
    {record_type::config_loaded, "config_loaded"},
    {record_type::rules_loaded, "rules_loaded"},
    {record_type::started, "started"},
    {record_type::stopped, "stopped"},
    {record_type::confirmed, "confirmed"},
    {record_type::unconfirmed, "unconfirmed"},
    {record_type::grant, "grant"},
    {record_type::reopened, "reopened"},
});
static_assert(type_words.rows().size() == record_type_count);

constexpr auto outcome_words = make_word_table<outcome>({
    {outcome::completed, "completed"},
    {outcome::failed, "failed"},
    {outcome::needs_input, "needs_input"},
    {outcome::unclear, "unclear"},
    {outcome::dry_run, "dry_run"},
});
constexpr auto resolution_words = make_word_table<resolution>({
    {resolution::paid, "paid"},
    {resolution::not_paid, "not_paid"},
});
constexpr auto reconcile_words = make_word_table<reconcile_outcome>({
    {reconcile_outcome::paid, "paid"},
    {reconcile_outcome::not_found, "not_found"},
});
constexpr auto report_kind_words = make_word_table<report_kind>({
    {report_kind::balance, "balance"},
    {report_kind::transactions, "transactions"},
    {report_kind::payees, "payees"},
});
constexpr auto grant_event_words = make_word_table<grant_event>({
    {grant_event::made, "made"},
    {grant_event::rotated, "rotated"},
    {grant_event::refused, "refused"},
    {grant_event::removed, "removed"},
});

}  // namespace

record_type type_of(const record_body& body) noexcept
{
    return static_cast<record_type>(body.index());
}

std::string_view to_string(record_type t) noexcept
{
    return type_words.word(t);
}
std::optional<record_type> parse_record_type(std::string_view s) noexcept
{
    return type_words.parse(s);
}
std::string_view to_string(outcome o) noexcept
{
    return outcome_words.word(o);
}
std::optional<outcome> parse_outcome(std::string_view s) noexcept
{
    return outcome_words.parse(s);
}
std::string_view to_string(resolution r) noexcept
{
    return resolution_words.word(r);
}
std::optional<resolution> parse_resolution(std::string_view s) noexcept
{
    return resolution_words.parse(s);
}
std::string_view to_string(reconcile_outcome r) noexcept
{
    return reconcile_words.word(r);
}
std::optional<reconcile_outcome> parse_reconcile_outcome(std::string_view s) noexcept
{
    return reconcile_words.parse(s);
}
std::string_view to_string(report_kind k) noexcept
{
    return report_kind_words.word(k);
}
std::optional<report_kind> parse_report_kind(std::string_view s) noexcept
{
    return report_kind_words.parse(s);
}
std::string_view to_string(grant_event e) noexcept
{
    return grant_event_words.word(e);
}
std::optional<grant_event> parse_grant_event(std::string_view s) noexcept
{
    return grant_event_words.parse(s);
}

const occurrence_ref* occurrence_of(const record_body& body) noexcept
{
    return std::visit(
        [](const auto& r) -> const occurrence_ref* {
            if constexpr (requires { r.ref; }) {
                return &r.ref;
            } else {
                return nullptr;
            }
        },
        body);
}

std::string make_excerpt(std::string_view text, std::size_t max_bytes)
{
    static constexpr std::string_view replacement = "\xEF\xBF\xBD";
    static constexpr std::string_view ellipsis = "\xE2\x80\xA6";
    const auto kept_ascii = [](char ch) {
        const auto c = static_cast<unsigned char>(ch);
        return (c >= 0x20 && c < 0x7F) || c == '\t' || c == '\n';
    };
    // Sanitise until the output is known to be too long, remembering the last character
    // boundary at which the text plus the ellipsis still fits. A run of kept ASCII is one piece
    // with a boundary after each of its bytes.
    const std::size_t budget = max_bytes > ellipsis.size() ? max_bytes - ellipsis.size() : 0;
    std::string out;
    out.reserve(std::min(text.size(), max_bytes));
    std::size_t cut = 0;
    for (std::size_t i = 0; i < text.size();) {
        std::size_t run = i;
        while (run < text.size() && kept_ascii(text[run])) ++run;
        const bool ascii_run = run > i;
        std::string_view piece = text.substr(i, run - i);
        if (ascii_run) {
            i = run;
        } else {
            const std::size_t n = text::utf8_sequence_length(text, i);
            piece = n == 0 ? replacement : text.substr(i, n);
            i += n == 0 ? 1 : n;
            if (piece.size() == 1) continue;  // a control character other than tab and newline
        }
        const std::size_t before = out.size();
        const std::size_t after = before + piece.size();
        if (ascii_run && before < budget)
            cut = std::min(after, budget);
        else if (after <= budget)
            cut = after;
        if (after > max_bytes) {
            out.append(piece.substr(0, cut > before ? cut - before : 0));
            out.resize(cut);
            out.append(ellipsis);
            return out;
        }
        out.append(piece);
    }
    return out;
}

}  // namespace paymand::audit
