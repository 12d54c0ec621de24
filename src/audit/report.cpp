#include "paymand/audit/report.hpp"

#include "paymand/audit/time_format.hpp"
#include "paymand/money/arithmetic.hpp"

#include <boost/json/array.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <tuple>
#include <utility>

namespace paymand::audit {
namespace {

using namespace std::chrono;

bool digits(std::string_view s) noexcept
{
    return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int to_int(std::string_view s) noexcept
{
    int v = 0;
    for (char c : s) v = v * 10 + (c - '0');
    return v;
}

// What a record says about why its occurrence ended where it did, and the limit for a denial.
struct record_detail {
    std::string limit;
    std::string detail;
};

record_detail detail_of(const record_body& body)
{
    return std::visit(
        [](const auto& b) -> record_detail {
            using T = std::decay_t<decltype(b)>;
            if constexpr (std::is_same_v<T, result_record>) {
                if (b.outcome == outcome::completed) {
                    return {{}, b.task_id ? "task " + *b.task_id : std::string()};
                }
                if (b.outcome == outcome::failed) {
                    return {{}, b.reason.value_or("the agent did not pay")};
                }
                if (b.outcome == outcome::dry_run) return {{}, b.reason.value_or("")};
                return {};
            } else if constexpr (std::is_same_v<T, failed_record>) {
                if (b.attempts == 0) return {{}, b.reason};
                return {{},
                        fmt::format("{} (after {} attempt{})", b.reason, b.attempts,
                                    b.attempts == 1 ? "" : "s")};
            } else if constexpr (std::is_same_v<T, denied_record>) {
                return {b.limit, b.reason};
            } else if constexpr (std::is_same_v<T, skipped_record> ||
                                 std::is_same_v<T, missed_record>) {
                return {{}, b.reason};
            } else if constexpr (std::is_same_v<T, resolved_record>) {
                return {{}, "operator: " + b.note};
            } else if constexpr (std::is_same_v<T, reconciled_record>) {
                if (b.transaction_id) return {{}, "reconciled: transaction " + *b.transaction_id};
                return {{}, "reconciled from a transaction listing"};
            } else if constexpr (std::is_same_v<T, confirmed_record>) {
                return {{}, "confirmed from the transaction listing"};
            } else if constexpr (std::is_same_v<T, unconfirmed_record>) {
                return {{}, "unconfirmed: " + b.reason};
            } else if constexpr (std::is_same_v<T, report_record>) {
                return {{}, fmt::format("{} report: {}", to_string(b.kind), to_string(b.outcome))};
            } else {
                return {};
            }
        },
        body);
}

bool by_instant(const report_entry& a, const report_entry& b)
{
    return std::tie(a.ref.utc, a.ref.occurrence) < std::tie(b.ref.utc, b.ref.occurrence);
}

bool shell_safe(char c) noexcept
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("@:._~+-").find(c) != std::string_view::npos;
}

boost::json::object entry_json(const report_entry& e)
{
    boost::json::object o;
    o["occurrence"] = e.ref.occurrence;
    o["rule"] = e.ref.rule;
    o["utc"] = format_utc(e.ref.utc);
    o["state"] = to_string(e.state);
    if (e.payment) {
        o["payee"] = e.payment->payee;
        o["amount"] = money::format_decimal(e.payment->amount);
        o["currency"] = e.payment->amount.unit().code();
    }
    if (!e.limit.empty()) o["limit"] = e.limit;
    o["detail"] = e.detail;
    if (e.dry_run) o["dry_run"] = true;
    if (needs_operator(e.state) && !e.dry_run) o["resolve"] = resolve_command(e.ref.occurrence);
    return o;
}

boost::json::array entries_json(const std::vector<report_entry>& entries)
{
    boost::json::array a;
    a.reserve(entries.size());
    for (const auto& e : entries) a.push_back(entry_json(e));
    return a;
}

}  // namespace

std::optional<year_month> parse_month(std::string_view text) noexcept
{
    if (text.size() != 7 || text[4] != '-') return std::nullopt;
    const auto y = text.substr(0, 4);
    const auto m = text.substr(5, 2);
    if (!digits(y) || !digits(m)) return std::nullopt;
    const int year_value = to_int(y);
    const int month_value = to_int(m);
    if (year_value < 1 || month_value < 1 || month_value > 12) return std::nullopt;
    return year{year_value} / month{static_cast<unsigned>(month_value)};
}

std::optional<year_month_day> parse_day(std::string_view text) noexcept
{
    if (text.size() != 10 || text[7] != '-') return std::nullopt;
    const auto ym = parse_month(text.substr(0, 7));
    const auto d = text.substr(8, 2);
    if (!ym || !digits(d)) return std::nullopt;
    const year_month_day day = *ym / std::chrono::day{static_cast<unsigned>(to_int(d))};
    if (!day.ok()) return std::nullopt;
    return day;
}

namespace {

std::string month_label(year_month m)
{
    return fmt::format("{:04}-{:02}", static_cast<int>(m.year()), static_cast<unsigned>(m.month()));
}

std::string day_label(year_month_day d)
{
    return fmt::format("{}-{:02}", month_label(d.year() / d.month()),
                       static_cast<unsigned>(d.day()));
}

// Midnight starting `day`, as an instant: in UTC, or local midnight in `zone`.
utc_seconds midnight(year_month_day day, const schedule::zone* zone)
{
    if (zone == nullptr) return sys_days{day};
    return zone->resolve(schedule::local_minutes{local_days{day}.time_since_epoch()});
}

}  // namespace

month_window day_range(year_month_day first, year_month_day last, const schedule::zone* zone)
{
    const year_month_day after{sys_days{last} + std::chrono::days{1}};
    return {std::nullopt, day_label(first) + " to " + day_label(last),
            zone != nullptr ? std::string(zone->name()) : std::string("UTC"), midnight(first, zone),
            midnight(after, zone)};
}

month_window utc_month(year_month m)
{
    return {m, month_label(m), "UTC", sys_days{m / 1}, sys_days{(m + months{1}) / 1}};
}

month_window local_month(year_month m, const schedule::zone& zone)
{
    return {m, month_label(m), std::string(zone.name()), midnight(m / 1, &zone),
            midnight((m + months{1}) / 1, &zone)};
}

month_report_builder::month_report_builder(month_window window) : window_(std::move(window)) {}

void month_report_builder::add(const record& r)
{
    const occurrence_ref* ref = occurrence_of(r.body);
    if (!ref || ref->utc < window_.begin || ref->utc >= window_.end) return;
    ++records_;
    if (r.dry_run) {
        apply(dry_, dry_order_, dry_extra_, r);
    } else {
        apply(real_, real_order_, real_extra_, r);
    }
}

void month_report_builder::apply(audit_projection& projection, std::vector<std::string>& order,
                                 std::unordered_map<std::string, extra>& extras, const record& r)
{
    if (type_of(r.body) == record_type::condition) return;  // not an outcome
    const std::string& id = occurrence_of(r.body)->occurrence;
    const occurrence_status* before = projection.find(id);
    const std::optional<occurrence_state> was =
        before ? std::optional(before->state) : std::nullopt;
    projection.apply(r);
    const occurrence_status* after = projection.find(id);
    if (!after) return;
    if (!was) order.push_back(id);
    // Only a record that moved the occurrence to its state explains it; one the transitions
    // ignored (a denial after an intent, a reconciliation that found nothing) does not.
    if (was == after->state) return;
    auto d = detail_of(r.body);
    auto& e = extras[id];
    e.limit = std::move(d.limit);
    e.detail = std::move(d.detail);
}

namespace {

// The report's list for an occurrence in state `s` (dry runs apart).
std::vector<report_entry>& list_for(month_report& report, occurrence_state s)
{
    switch (s) {
    case occurrence_state::completed:
    case occurrence_state::confirmed:
    case occurrence_state::unconfirmed:
    case occurrence_state::reconciled_paid:
    case occurrence_state::resolved_paid:
        return report.paid;
    case occurrence_state::in_flight:
    case occurrence_state::in_doubt:
    case occurrence_state::mismatch:
    case occurrence_state::reopened:
        return report.open;
    case occurrence_state::failed:
    case occurrence_state::resolved_not_paid:
        return report.failed;
    case occurrence_state::skipped:
        return report.skipped;
    case occurrence_state::denied:
        return report.denied;
    case occurrence_state::missed:
        return report.missed;
    case occurrence_state::reported:
        return report.reported;
    case occurrence_state::dry_run:
        return report.dry_run;
    }
    return report.open;
}

// The totals of the paid list, per payee and currency and per currency.
core::result<void> add_totals(month_report& report)
{
    std::map<std::pair<std::string, std::string_view>, payee_total> per_payee;
    std::map<std::string_view, currency_total> per_currency;
    for (const auto& e : report.paid) {
        if (!e.payment) continue;  // a resolution of an occurrence without an intent
        const auto& amount = e.payment->amount;
        const auto code = amount.unit().code();
        auto [p, new_payee] =
            per_payee.try_emplace({e.payment->payee, code},
                                  payee_total{e.payment->payee, money::amount(amount.unit(), 0)});
        auto payee_sum = money::checked_add(p->second.total, amount);
        if (!payee_sum) return payee_sum.error();
        p->second.total = *payee_sum;
        ++p->second.payments;
        auto [c, new_currency] =
            per_currency.try_emplace(code, currency_total{money::amount(amount.unit(), 0)});
        auto currency_sum = money::checked_add(c->second.total, amount);
        if (!currency_sum) return currency_sum.error();
        c->second.total = *currency_sum;
        ++c->second.payments;
    }
    for (auto& [key, total] : per_payee) report.per_payee.push_back(std::move(total));
    for (auto& [key, total] : per_currency) report.per_currency.push_back(total);
    return {};
}

}  // namespace

void month_report_builder::collect(month_report& report, const audit_projection& projection,
                                   const std::vector<std::string>& order,
                                   const std::unordered_map<std::string, extra>& extras, bool dry)
{
    for (const auto& id : order) {
        const occurrence_status* s = projection.find(id);
        if (!s) continue;
        report_entry e{.ref = s->ref, .state = s->state, .payment = s->payment};
        e.dry_run = dry;
        if (auto it = extras.find(id); it != extras.end()) {
            e.limit = it->second.limit;
            e.detail = it->second.detail;
        }
        if (needs_operator(s->state)) {
            e.detail = s->reason;
        } else if (s->state == occurrence_state::in_flight) {
            e.detail = "intent recorded, no result yet: the payment is being asked for, or "
                       "the daemon stopped mid-payment (it records in_doubt when it starts)";
        } else if (s->state == occurrence_state::reopened) {
            e.detail = "closed here without a request, released by the shared ledger to run "
                       "again: this node has not run it since; the shared ledger's row says "
                       "whether another node did";
        }
        if (dry && e.payment) {
            report.dry_run.push_back(std::move(e));
            continue;
        }
        list_for(report, s->state).push_back(std::move(e));
    }
    for (const auto& w : projection.warnings()) {
        if (report.warnings.size() < 100) report.warnings.push_back(w);
    }
}

core::result<month_report> month_report_builder::finish() const
{
    month_report report;
    report.window = window_;
    report.records = records_;
    collect(report, real_, real_order_, real_extra_, false);
    collect(report, dry_, dry_order_, dry_extra_, true);

    for (auto* list : {&report.paid, &report.open, &report.denied, &report.failed, &report.skipped,
                       &report.missed, &report.reported, &report.dry_run}) {
        std::sort(list->begin(), list->end(), by_instant);
    }
    if (auto totals = add_totals(report); !totals) return totals.error();
    return report;
}

core::result<month_report> build_month_report(const month_window& window,
                                              const std::vector<record>& records)
{
    month_report_builder builder(window);
    for (const auto& r : records) builder.add(r);
    return builder.finish();
}

std::string resolve_command(std::string_view occurrence)
{
    std::string quoted;
    if (!occurrence.empty() && std::all_of(occurrence.begin(), occurrence.end(), shell_safe)) {
        quoted = occurrence;
    } else {
        quoted = "'";
        for (char c : occurrence) {
            if (c == '\'') {
                quoted += "'\\''";
            } else {
                quoted += c;
            }
        }
        quoted += "'";
    }
    return fmt::format("paymand audit resolve {} --paid|--not-paid --note \"...\"", quoted);
}

boost::json::object to_json(const month_report& report)
{
    boost::json::object o;
    if (report.window.month) o["month"] = report.window.label;
    o["period"] = report.window.label;
    o["zone"] = report.window.zone;
    o["from"] = format_utc(report.window.begin);
    o["to"] = format_utc(report.window.end);
    o["paid"] = entries_json(report.paid);
    boost::json::array payees;
    for (const auto& t : report.per_payee) {
        payees.push_back({{"payee", t.payee},
                          {"amount", money::format_decimal(t.total)},
                          {"currency", t.total.unit().code()},
                          {"payments", t.payments}});
    }
    boost::json::array currencies;
    for (const auto& t : report.per_currency) {
        currencies.push_back({{"currency", t.total.unit().code()},
                              {"amount", money::format_decimal(t.total)},
                              {"payments", t.payments}});
    }
    o["per_payee"] = std::move(payees);
    o["per_currency"] = std::move(currencies);
    o["open"] = entries_json(report.open);
    o["denied"] = entries_json(report.denied);
    o["failed"] = entries_json(report.failed);
    o["skipped"] = entries_json(report.skipped);
    o["missed"] = entries_json(report.missed);
    o["reported"] = entries_json(report.reported);
    o["dry_run"] = entries_json(report.dry_run);
    o["counts"] = {{"paid", report.paid.size()},         {"open", report.open.size()},
                   {"denied", report.denied.size()},     {"failed", report.failed.size()},
                   {"skipped", report.skipped.size()},   {"missed", report.missed.size()},
                   {"reported", report.reported.size()}, {"dry_run", report.dry_run.size()},
                   {"records", report.records}};
    boost::json::array warnings;
    for (const auto& w : report.warnings) {
        warnings.push_back({{"seq", w.seq}, {"message", w.message}});
    }
    o["warnings"] = std::move(warnings);
    return o;
}

}  // namespace paymand::audit
