#include "paymand/audit/record.hpp"

#include "paymand/text/utf8.hpp"

#include <array>

namespace paymand::audit {
namespace {

constexpr std::array<std::string_view, record_type_count> type_names = {
    "intent",   "result",     "skipped",   "denied",      "missed", "failed",        "in_doubt",
    "resolved", "reconciled", "mismatch",  "condition",   "report", "config_loaded", "rules_loaded",
    "started",  "stopped",    "confirmed", "unconfirmed", "grant",
};

template <class E, std::size_t N>
std::optional<E> find_name(const std::array<std::string_view, N>& names, std::string_view s)
{
    for (std::size_t i = 0; i < N; ++i) {
        if (names[i] == s) return static_cast<E>(i);
    }
    return std::nullopt;
}

constexpr std::array<std::string_view, 5> outcome_names = {"completed", "failed", "needs_input",
                                                           "unclear", "dry_run"};
constexpr std::array<std::string_view, 2> resolution_names = {"paid", "not_paid"};
constexpr std::array<std::string_view, 2> reconcile_names = {"paid", "not_found"};
constexpr std::array<std::string_view, 3> report_kind_names = {"balance", "transactions", "payees"};
constexpr std::array<std::string_view, 4> grant_event_names = {"made", "rotated", "refused",
                                                               "removed"};

}  // namespace

record_type type_of(const record_body& body) noexcept
{
    return static_cast<record_type>(body.index());
}

std::string_view to_string(record_type t) noexcept
{
    return type_names[static_cast<std::size_t>(t)];
}

std::optional<record_type> parse_record_type(std::string_view s) noexcept
{
    return find_name<record_type>(type_names, s);
}

std::string_view to_string(outcome o) noexcept
{
    return outcome_names[static_cast<std::size_t>(o)];
}
std::optional<outcome> parse_outcome(std::string_view s) noexcept
{
    return find_name<outcome>(outcome_names, s);
}
std::string_view to_string(resolution r) noexcept
{
    return resolution_names[static_cast<std::size_t>(r)];
}
std::optional<resolution> parse_resolution(std::string_view s) noexcept
{
    return find_name<resolution>(resolution_names, s);
}
std::string_view to_string(reconcile_outcome r) noexcept
{
    return reconcile_names[static_cast<std::size_t>(r)];
}
std::optional<reconcile_outcome> parse_reconcile_outcome(std::string_view s) noexcept
{
    return find_name<reconcile_outcome>(reconcile_names, s);
}
std::string_view to_string(report_kind k) noexcept
{
    return report_kind_names[static_cast<std::size_t>(k)];
}
std::optional<report_kind> parse_report_kind(std::string_view s) noexcept
{
    return find_name<report_kind>(report_kind_names, s);
}
std::string_view to_string(grant_event e) noexcept
{
    return grant_event_names[static_cast<std::size_t>(e)];
}
std::optional<grant_event> parse_grant_event(std::string_view s) noexcept
{
    return find_name<grant_event>(grant_event_names, s);
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
    // Sanitise until the output is known to be too long, remembering the last character
    // boundary at which the text plus the ellipsis still fits.
    const std::size_t budget = max_bytes > ellipsis.size() ? max_bytes - ellipsis.size() : 0;
    std::string out;
    std::size_t cut = 0;
    for (std::size_t i = 0; i < text.size();) {
        std::size_t n = text::utf8_sequence_length(text, i);
        std::string_view piece = n == 0 ? replacement : text.substr(i, n);
        i += n == 0 ? 1 : n;
        const auto c = static_cast<unsigned char>(piece[0]);
        if (piece.size() == 1 && (c < 0x20 || c == 0x7F) && c != '\t' && c != '\n') continue;
        if (out.size() + piece.size() > max_bytes) {
            out.resize(cut);
            out.append(ellipsis);
            return out;
        }
        out.append(piece);
        if (out.size() <= budget) cut = out.size();
    }
    return out;
}

}  // namespace paymand::audit
