#include "app/audit_format.hpp"

#include "app/audit_log_source.hpp"
#include "paymand/audit/attention.hpp"
#include "paymand/audit/time_format.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

namespace paymand::app {
namespace {

using audit::report_entry;

std::string facts(const audit::record_body& body)
{
    using namespace audit;
    return std::visit(
        [](const auto& b) -> std::string {
            using T = std::decay_t<decltype(b)>;
            if constexpr (std::is_same_v<T, intent_record>) {
                std::string s = money::format_with_code(b.amount) + " to " + b.payee;
                if (b.wallet) s += " from " + *b.wallet;
                return s;
            } else if constexpr (std::is_same_v<T, result_record>) {
                std::string s(to_string(b.outcome));
                if (b.task_id) s += ", task " + *b.task_id;
                if (b.reason) s += ": " + *b.reason;
                return s;
            } else if constexpr (std::is_same_v<T, denied_record>) {
                return b.limit + ": " + b.reason;
            } else if constexpr (std::is_same_v<T, failed_record>) {
                return fmt::format("{} ({} attempt{})", b.reason, b.attempts,
                                   b.attempts == 1 ? "" : "s");
            } else if constexpr (std::is_same_v<T, resolved_record>) {
                return fmt::format("{}: {}", to_string(b.resolution), b.note);
            } else if constexpr (std::is_same_v<T, reconciled_record>) {
                std::string s(to_string(b.result));
                if (b.transaction_id) s += ", transaction " + *b.transaction_id;
                if (!b.evidence.empty()) s += ": " + shorten(b.evidence, 120);
                return s;
            } else if constexpr (std::is_same_v<T, mismatch_record>) {
                return b.reason;
            } else if constexpr (std::is_same_v<T, confirmed_record>) {
                return fmt::format("listing {}: {}", b.attempts, shorten(b.evidence, 120));
            } else if constexpr (std::is_same_v<T, unconfirmed_record>) {
                return fmt::format("{} ({} listing{})", b.reason, b.attempts,
                                   b.attempts == 1 ? "" : "s");
            } else if constexpr (std::is_same_v<T, condition_record>) {
                std::string s = b.condition + (b.met ? ": met" : ": not met");
                if (b.balance) s += " (balance " + money::format_with_code(*b.balance) + ")";
                if (b.unclear_reason) s += " (unclear: " + *b.unclear_reason + ")";
                return s;
            } else if constexpr (std::is_same_v<T, report_record>) {
                std::string s =
                    fmt::format("{} report: {}", to_string(b.kind), to_string(b.outcome));
                if (b.task_id) s += ", task " + *b.task_id;
                return s;
            } else if constexpr (std::is_same_v<T, config_loaded_record>) {
                return fmt::format("{} (sha256 {})", b.path, b.sha256.substr(0, 12));
            } else if constexpr (std::is_same_v<T, rules_loaded_record>) {
                std::string s =
                    fmt::format("{} rule{}", b.rules.size(), b.rules.size() == 1 ? "" : "s");
                for (std::size_t i = 0; i < b.rules.size() && i < 10; ++i) {
                    s += (i == 0 ? ": " : ", ") + b.rules[i].id;
                }
                if (b.rules.size() > 10) s += ", ...";
                return s;
            } else if constexpr (std::is_same_v<T, started_record>) {
                return fmt::format("version {}, pid {}", b.version, b.pid);
            } else if constexpr (std::is_same_v<T, stopped_record>) {
                return fmt::format("{}, {} in flight", b.reason, b.in_flight);
            } else if constexpr (std::is_same_v<T, grant_record>) {
                std::string s = fmt::format("{} for {}: {}", to_string(b.event), b.client_id,
                                            b.scopes.empty() ? "no scopes" : b.scopes);
                if (b.rotation > 0) s += fmt::format(", rotation {}", b.rotation);
                if (b.access_expires) s += ", access token until " + format_utc(*b.access_expires);
                if (b.reason) s += ": " + *b.reason;
                return s;
            } else {
                return b.reason;  // skipped, missed, in_doubt
            }
        },
        body);
}

// Display width of UTF-8 text: one column per code point (the names here are not CJK).
std::size_t width(std::string_view s)
{
    return static_cast<std::size_t>(std::count_if(
        s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

// Rows as aligned columns, two spaces apart, indented by two; the last column is not padded.
// Columns listed in `right` are right-aligned (amounts).
void table(std::string& out, const std::vector<std::vector<std::string>>& rows,
           const std::vector<std::size_t>& right = {})
{
    std::vector<std::size_t> widths;
    for (const auto& row : rows) {
        widths.resize(std::max(widths.size(), row.size()));
        for (std::size_t i = 0; i < row.size(); ++i) {
            widths[i] = std::max(widths[i], width(row[i]));
        }
    }
    for (const auto& row : rows) {
        std::string line = " ";
        for (std::size_t i = 0; i < row.size(); ++i) {
            const std::size_t pad = widths[i] - width(row[i]);
            const bool last = i + 1 == row.size();
            const bool align_right = std::find(right.begin(), right.end(), i) != right.end();
            line += ' ';
            if (align_right) line.append(pad, ' ');
            line += row[i];
            if (!align_right && !last) line.append(pad, ' ');
            if (!last) line += ' ';
        }
        while (!line.empty() && line.back() == ' ') line.pop_back();
        out += line + "\n";
    }
}

std::string payee_of(const report_entry& e)
{
    return e.payment ? one_line(e.payment->payee) : std::string("-");
}

std::string amount_of(const report_entry& e)
{
    return e.payment ? money::format_with_code(e.payment->amount) : std::string("-");
}

// One section of the report; with `resolve`, each occurrence that needs an operator is
// followed by the command that records the operator's verdict (plus `resolve_suffix`).
void section(std::string& out, std::string_view title, const std::vector<report_entry>& entries,
             bool with_limit, bool resolve = false, std::string_view resolve_suffix = {})
{
    out += fmt::format("\n{} ({})\n", title, entries.size());
    if (entries.empty()) return;
    // Denials, skips and misses come before any intent: no payee or amount to show.
    const bool payments = std::any_of(entries.begin(), entries.end(),
                                      [](const report_entry& e) { return e.payment.has_value(); });
    std::vector<std::vector<std::string>> rows;
    for (const auto& e : entries) {
        std::string why = one_line(e.detail);
        if (with_limit && !e.limit.empty()) why = one_line(e.limit) + ": " + why;
        std::vector<std::string> row{audit::format_utc(e.ref.utc), one_line(e.ref.occurrence)};
        if (payments) {
            row.push_back(payee_of(e));
            row.push_back(amount_of(e));
        }
        row.push_back(std::string(audit::to_string(e.state)));
        row.push_back(std::move(why));
        rows.push_back(std::move(row));
    }
    const std::vector<std::size_t> amount_column =
        payments ? std::vector<std::size_t>{3} : std::vector<std::size_t>{};
    if (!resolve) {
        table(out, rows, amount_column);
        return;
    }
    std::string rendered;
    table(rendered, rows, amount_column);
    std::size_t start = 0;
    for (const auto& e : entries) {
        const std::size_t nl = rendered.find('\n', start);
        out += rendered.substr(start, nl - start + 1);
        start = nl + 1;
        if (audit::needs_operator(e.state)) {
            out += "      resolve: " + audit::resolve_command(one_line(e.ref.occurrence)) +
                   std::string(resolve_suffix) + "\n";
        }
    }
}

std::string csv_field(std::string_view s)
{
    if (s.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(s);
    std::string out = "\"";
    for (char c : s) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

void csv_row(std::string& out, std::initializer_list<std::string_view> fields)
{
    bool first = true;
    for (auto f : fields) {
        if (!first) out += ',';
        out += csv_field(f);
        first = false;
    }
    out += "\r\n";
}

}  // namespace

std::string describe_record(const audit::record& r)
{
    const auto type = audit::type_of(r.body);
    const auto* ref = audit::occurrence_of(r.body);
    std::string line =
        fmt::format("{}  seq {}  {}", audit::format_ts(r.ts), r.seq, audit::to_string(type));
    if (r.dry_run) line += " [dry run]";
    if (r.stamp) line += fmt::format(" [{} epoch {}]", r.stamp->node, r.stamp->epoch);
    if (ref) line += "  " + ref->occurrence;
    const std::string f = facts(r.body);
    if (!f.empty()) line += "  " + f;
    // The agent's own words for every outcome that is not a clean success.
    if (const auto* excerpt = audit::unclean_excerpt(r.body))
        line += "  reply: \"" + shorten(*excerpt, 200) + "\"";
    return one_line(line);
}

std::string report_text(const audit::month_report& report, std::string_view log,
                        std::string_view resolve_suffix)
{
    const auto& w = report.window;
    const char* span = w.month ? "month" : "period";
    std::string out = fmt::format("Audit report {}: occurrences scheduled from {} to {} ({} {})\n",
                                  w.label, audit::format_utc(w.begin), audit::format_utc(w.end),
                                  w.zone, w.month ? "month" : "calendar");
    out += fmt::format("log: {} ({} record{} about this {})\n", log, report.records,
                       report.records == 1 ? "" : "s", span);

    section(out, "PAID", report.paid, false);
    if (!report.per_payee.empty()) {
        out += "\nTOTAL PER PAYEE\n";
        std::vector<std::vector<std::string>> rows;
        for (const auto& t : report.per_payee) {
            rows.push_back({one_line(t.payee), money::format_with_code(t.total),
                            fmt::format("{} payment{}", t.payments, t.payments == 1 ? "" : "s")});
        }
        table(out, rows, {1});
        out += "\nTOTAL PER CURRENCY\n";
        rows.clear();
        for (const auto& t : report.per_currency) {
            rows.push_back({money::format_with_code(t.total),
                            fmt::format("{} payment{}", t.payments, t.payments == 1 ? "" : "s")});
        }
        table(out, rows, {0});
    }
    section(out, "OPEN: IN DOUBT, MISMATCH OR IN FLIGHT", report.open, false, true, resolve_suffix);
    section(out, "DENIED BY A LIMIT", report.denied, true);
    section(out, "FAILED, NOT PAID", report.failed, false);
    section(out, "SKIPPED", report.skipped, false);
    section(out, "MISSED", report.missed, false);
    if (!report.reported.empty()) section(out, "REPORTS", report.reported, false);
    if (!report.dry_run.empty()) section(out, "DRY RUN, NOT SENT", report.dry_run, false);
    for (const auto& warning : report.warnings) {
        out += fmt::format("\nwarning: seq {}: {}", warning.seq, one_line(warning.message));
    }
    if (!report.warnings.empty()) out += "\n";
    out += fmt::format("\nCOUNTS: paid {}, open {}, denied {}, failed {}, skipped {}, missed {}, "
                       "reports {}, dry run {}\n",
                       report.paid.size(), report.open.size(), report.denied.size(),
                       report.failed.size(), report.skipped.size(), report.missed.size(),
                       report.reported.size(), report.dry_run.size());
    return out;
}

std::string report_csv(const audit::month_report& report)
{
    std::string out;
    csv_row(out, {"section", "occurrence", "rule", "utc", "state", "payee", "amount", "currency",
                  "payments", "limit", "detail"});
    const auto entries = [&](std::string_view name, const std::vector<report_entry>& list) {
        for (const auto& e : list) {
            const std::string utc = audit::format_utc(e.ref.utc);
            const std::string amount =
                e.payment ? money::format_decimal(e.payment->amount) : std::string();
            const std::string_view currency =
                e.payment ? e.payment->amount.unit().code() : std::string_view();
            const std::string_view payee = e.payment ? e.payment->payee : std::string_view();
            csv_row(out, {name, e.ref.occurrence, e.ref.rule, utc, audit::to_string(e.state), payee,
                          amount, currency, "", e.limit, e.detail});
        }
    };
    entries("paid", report.paid);
    entries("open", report.open);
    entries("denied", report.denied);
    entries("failed", report.failed);
    entries("skipped", report.skipped);
    entries("missed", report.missed);
    entries("reported", report.reported);
    entries("dry_run", report.dry_run);
    for (const auto& t : report.per_payee) {
        csv_row(out, {"total_per_payee", "", "", "", "", t.payee, money::format_decimal(t.total),
                      t.total.unit().code(), std::to_string(t.payments), "", ""});
    }
    for (const auto& t : report.per_currency) {
        csv_row(out, {"total_per_currency", "", "", "", "", "", money::format_decimal(t.total),
                      t.total.unit().code(), std::to_string(t.payments), "", ""});
    }
    return out;
}

}  // namespace paymand::app
