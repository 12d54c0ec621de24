#include "log_walker.hpp"

#include "paymand/audit/time_format.hpp"
#include "paymand/money/parse.hpp"

#include <boost/json/parse.hpp>

#include <algorithm>
#include <limits>

namespace paymand::audit::detail {
namespace {

// The text of required string field `key`, unescaped into `scratch` only when needed.
std::optional<std::string> text(const scanned_line& line, std::string_view key,
                                std::string& scratch, std::string_view& out, bool required = true)
{
    const scanned_field* f = line.find(key);
    if (!f) {
        if (required) return fmt::format("missing field '{}'", key);
        return std::nullopt;
    }
    if (!is_string(f->raw)) return fmt::format("field '{}' must be a string", key);
    if (f->raw.find('\\') == std::string_view::npos) {
        out = f->raw.substr(1, f->raw.size() - 2);
    } else {
        scratch = string_value(f->raw);
        out = scratch;
    }
    return std::nullopt;
}

template <class E>
std::optional<std::string> enumeration(const scanned_line& line, std::string_view key,
                                       std::optional<E> (*parse)(std::string_view) noexcept,
                                       std::optional<E>& out)
{
    std::string scratch;
    std::string_view value;
    if (auto e = text(line, key, scratch, value)) return e;
    out = parse(value);
    if (!out) return fmt::format("field '{}' has unknown value '{}'", key, value);
    return std::nullopt;
}

// rules_loaded records are rare: a DOM for their list is fine.
std::optional<std::string> rules_of(const scanned_line& line, summary_scratch& scratch,
                                    record_summary& out)
{
    const auto ts = parse_ts(line.ts);
    if (!ts) return fmt::format("'ts' is not an RFC 3339 UTC time stamp: '{}'", line.ts);
    out.ts = *ts;
    const scanned_field* f = line.find("rules");
    if (!f) return std::string("missing field 'rules'");
    boost::system::error_code ec;
    const boost::json::value v = boost::json::parse(f->raw, ec);
    if (ec || !v.is_array()) return std::string("field 'rules' must be an array");
    scratch.rules.clear();
    for (const auto& item : v.get_array()) {
        const auto* o = item.if_object();
        const auto* id = o ? o->if_contains("id") : nullptr;
        const auto* sha = o ? o->if_contains("sha256") : nullptr;
        if (!id || !id->is_string() || !sha || !sha->is_string()) {
            return std::string("each of 'rules' must be {\"id\":...,\"sha256\":...}");
        }
        scratch.rules.push_back({std::string(id->get_string()), std::string(sha->get_string())});
    }
    out.rules = &scratch.rules;
    // A split set (several records of one batch) names its part.
    const scanned_field* part = line.find("part");
    const scanned_field* parts = line.find("parts");
    if (part != nullptr || parts != nullptr) {
        const auto number = [](const scanned_field* field) -> std::optional<std::uint32_t> {
            if (field == nullptr) return std::nullopt;
            boost::system::error_code e;
            const auto n = boost::json::parse(field->raw, e);
            if (e) return std::nullopt;
            if (n.is_int64() && n.get_int64() >= 1 && n.get_int64() <= 1'000'000)
                return static_cast<std::uint32_t>(n.get_int64());
            if (n.is_uint64() && n.get_uint64() >= 1 && n.get_uint64() <= 1'000'000)
                return static_cast<std::uint32_t>(n.get_uint64());
            return std::nullopt;
        };
        const auto p = number(part);
        const auto n = number(parts);
        if (!p || !n || *n < 2 || *p > *n)
            return std::string("fields 'part' and 'parts' must satisfy 1 <= part <= parts, "
                               "parts >= 2");
        out.part = *p;
        out.parts = *n;
    }
    return std::nullopt;
}

// A line number as core::error holds it: an int, saturated (2^31 lines is decades of records;
// the message keeps the exact number).
int error_line(std::uint64_t line) noexcept
{
    return static_cast<int>(std::min<std::uint64_t>(line, std::numeric_limits<int>::max()));
}

}  // namespace

log_problem to_log_problem(const walk_problem& p, const std::filesystem::path& path)
{
    return core::extend(
        {.code = make_error_code(p.code),
         .offset = p.offset,
         .message =
             fmt::format("{} line {}{} (byte {}): {}", path.string(), p.line,
                         p.seq ? fmt::format(" (seq {})", p.seq) : std::string(), p.offset, p.what),
         .line = error_line(p.line)},
        log_problem{.seq = p.seq});
}

std::optional<std::string> summarize_scanned(const scanned_line& line, record_type type,
                                             summary_scratch& scratch, record_summary& out)
{
    out = record_summary{};
    out.seq = line.seq;
    out.type = type;
    if (type == record_type::rules_loaded) return rules_of(line, scratch, out);
    switch (type) {
    case record_type::config_loaded:
    case record_type::started:
    case record_type::stopped:
    case record_type::condition:
    case record_type::grant:
        return std::nullopt;  // nothing the projection keeps
    default:
        break;
    }
    std::string_view utc;
    std::string utc_scratch;
    if (auto e = text(line, "rule", scratch.rule, out.rule)) return e;
    if (auto e = text(line, "occurrence", scratch.occurrence, out.occurrence)) return e;
    if (auto e = text(line, "utc", utc_scratch, utc)) return e;
    const auto instant = parse_utc(utc);
    if (!instant) return fmt::format("field 'utc' is not an RFC 3339 UTC instant: '{}'", utc);
    out.utc = *instant;
    if (out.rule.empty() || out.occurrence.empty()) return std::string("empty rule or occurrence");

    switch (type) {
    case record_type::intent: {
        if (auto e = text(line, "payee", scratch.payee, out.payee)) return e;
        std::string_view amount, currency;
        std::string a_scratch, c_scratch;
        if (auto e = text(line, "amount", a_scratch, amount)) return e;
        if (auto e = text(line, "currency", c_scratch, currency)) return e;
        auto parsed = money::parse_amount(amount, currency);
        if (!parsed) return "field 'amount': " + parsed.error().message;
        out.amount = *parsed;
        return std::nullopt;
    }
    case record_type::result:
        if (auto e = enumeration(line, "outcome", parse_outcome, out.outcome)) return e;
        return text(line, "reason", scratch.reason, out.reason, false);
    case record_type::resolved:
        return enumeration(line, "resolution", parse_resolution, out.resolution);
    case record_type::reconciled:
        return enumeration(line, "result", parse_reconcile_outcome, out.reconciled);
    case record_type::in_doubt:
    case record_type::mismatch:
    case record_type::unconfirmed:
        return text(line, "reason", scratch.reason, out.reason);
    case record_type::missed:
        return text(line, "through", scratch.through, out.through, false);
    default:
        return std::nullopt;
    }
}

}  // namespace paymand::audit::detail
