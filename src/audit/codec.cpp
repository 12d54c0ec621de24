#include "paymand/audit/codec.hpp"

#include "line_scanner.hpp"
#include "log_walker.hpp"
#include "paymand/audit/hash_chain.hpp"
#include "paymand/audit/time_format.hpp"
#include "paymand/money/parse.hpp"
#include "paymand/text/utf8.hpp"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <fmt/format.h>

namespace paymand::audit {
namespace {

namespace json = boost::json;

core::error invalid(std::string message)
{
    return {make_error_code(audit_errc::record_invalid), 0, std::move(message)};
}

core::error malformed(std::string message)
{
    return {make_error_code(audit_errc::malformed_line), 0, std::move(message)};
}

// Builds one body object, remembering the first problem.
class field_writer {
public:
    explicit field_writer(json::storage_ptr storage) : out(std::move(storage)) {}

    json::object out;
    std::optional<std::string> error;

    void text(std::string_view key, std::string_view value)
    {
        if (!text::is_valid_utf8(value)) {
            fail(fmt::format("field '{}' is not valid UTF-8", key));
            return;
        }
        out[key] = value;
    }
    void opt_text(std::string_view key, const std::optional<std::string>& value)
    {
        if (value) text(key, *value);
    }
    void excerpt(std::string_view key, std::string_view value)
    {
        if (value.size() > max_excerpt_bytes) {
            fail(fmt::format("field '{}' is {} bytes; excerpts are capped at {} (use "
                             "make_excerpt)",
                             key, value.size(), max_excerpt_bytes));
            return;
        }
        text(key, value);
    }
    void ref(const occurrence_ref& r)
    {
        text("rule", r.rule);
        text("occurrence", r.occurrence);
        out["utc"] = format_utc(r.utc);
    }
    void money(std::string_view amount_key, const money::amount& a)
    {
        out[amount_key] = money::format_decimal(a);
        out["currency"] = a.unit().code();
    }
    void fail(std::string message)
    {
        if (!error) error = std::move(message);
    }
};

json::object to_fields(field_writer& w, const intent_record& r)
{
    w.ref(r.ref);
    w.text("payee", r.payee);
    w.money("amount", r.amount);
    w.opt_text("wallet", r.wallet);
    w.opt_text("memo", r.memo);
    w.text("idempotency_key", r.idempotency_key);
    w.text("prompt", r.prompt);
    return std::move(w.out);
}

json::object to_fields(field_writer& w, const result_record& r)
{
    w.ref(r.ref);
    w.out["outcome"] = to_string(r.outcome);
    w.opt_text("task_id", r.task_id);
    w.opt_text("state", r.state);
    w.opt_text("reason", r.reason);
    w.excerpt("excerpt", r.excerpt);
    return std::move(w.out);
}

template <class R>
requires std::is_same_v<R, skipped_record> || std::is_same_v<R, in_doubt_record> ||
    std::is_same_v<R, reopened_record>
        json::object to_fields(field_writer& w, const R& r)
{
    w.ref(r.ref);
    w.text("reason", r.reason);
    return std::move(w.out);
}

json::object to_fields(field_writer& w, const missed_record& r)
{
    w.ref(r.ref);
    w.text("reason", r.reason);
    w.opt_text("through", r.through);
    return std::move(w.out);
}

json::object to_fields(field_writer& w, const denied_record& r)
{
    w.ref(r.ref);
    w.text("limit", r.limit);
    w.text("reason", r.reason);
    return std::move(w.out);
}

json::object to_fields(field_writer& w, const failed_record& r)
{
    w.ref(r.ref);
    w.text("reason", r.reason);
    w.out["attempts"] = r.attempts;
    return std::move(w.out);
}

json::object to_fields(field_writer& w, const resolved_record& r)
{
    w.ref(r.ref);
    w.out["resolution"] = to_string(r.resolution);
    w.text("note", r.note);
    return std::move(w.out);
}

json::object to_fields(field_writer& w, const reconciled_record& r)
{
    w.ref(r.ref);
    w.out["result"] = to_string(r.result);
    w.opt_text("transaction_id", r.transaction_id);
    w.excerpt("evidence", r.evidence);
    return std::move(w.out);
}

json::object to_fields(field_writer& w, const mismatch_record& r)
{
    w.ref(r.ref);
    w.opt_text("claimed_amount", r.claimed_amount);
    w.opt_text("claimed_payee", r.claimed_payee);
    w.text("reason", r.reason);
    w.excerpt("excerpt", r.excerpt);
    return std::move(w.out);
}

json::object to_fields(field_writer& w, const confirmed_record& r)
{
    w.ref(r.ref);
    w.out["attempts"] = r.attempts;
    w.excerpt("evidence", r.evidence);
    return std::move(w.out);
}

json::object to_fields(field_writer& w, const unconfirmed_record& r)
{
    w.ref(r.ref);
    w.out["attempts"] = r.attempts;
    w.text("reason", r.reason);
    return std::move(w.out);
}

json::object to_fields(field_writer& w, const condition_record& r)
{
    w.ref(r.ref);
    w.text("condition", r.condition);
    w.opt_text("wallet", r.wallet);
    if (r.balance) {
        w.money("balance", *r.balance);
        if (r.unclear_reason) w.fail("a condition with a balance has no unclear_reason");
    } else {
        w.out["balance"] = "unclear";
        if (!r.unclear_reason) w.fail("an unclear condition needs unclear_reason");
    }
    w.opt_text("unclear_reason", r.unclear_reason);
    w.out["met"] = r.met;
    return std::move(w.out);
}

json::object to_fields(field_writer& w, const report_record& r)
{
    w.ref(r.ref);
    w.out["kind"] = to_string(r.kind);
    w.out["outcome"] = to_string(r.outcome);
    w.opt_text("task_id", r.task_id);
    w.excerpt("excerpt", r.excerpt);
    return std::move(w.out);
}

json::object to_fields(field_writer& w, const config_loaded_record& r)
{
    w.text("path", r.path);
    w.text("sha256", r.sha256);
    return std::move(w.out);
}

json::object to_fields(field_writer& w, const rules_loaded_record& r)
{
    json::array rules;
    rules.reserve(r.rules.size());
    for (const auto& rule : r.rules) {
        if (!text::is_valid_utf8(rule.id) || !text::is_valid_utf8(rule.sha256)) {
            w.fail("rules_loaded: a rule id or hash is not valid UTF-8");
        }
        rules.push_back(json::object{{"id", rule.id}, {"sha256", rule.sha256}});
    }
    w.out["rules"] = std::move(rules);
    // Only a split set names its part, so single-record loads read as they always did.
    if (r.parts > 1) {
        if (r.part < 1 || r.part > r.parts) w.fail("rules_loaded: part must be within 1..parts");
        w.out["part"] = r.part;
        w.out["parts"] = r.parts;
    }
    return std::move(w.out);
}

json::object to_fields(field_writer& w, const started_record& r)
{
    w.text("version", r.version);
    w.out["pid"] = r.pid;
    return std::move(w.out);
}

json::object to_fields(field_writer& w, const stopped_record& r)
{
    w.text("reason", r.reason);
    w.out["in_flight"] = r.in_flight;
    return std::move(w.out);
}

json::object to_fields(field_writer& w, const grant_record& r)
{
    w.out["event"] = to_string(r.event);
    w.text("client_id", r.client_id);
    w.text("scopes", r.scopes);
    if (r.access_expires) w.out["access_expires"] = format_utc(*r.access_expires);
    w.out["rotation"] = r.rotation;
    w.opt_text("reason", r.reason);
    return std::move(w.out);
}

// Reads one body object strictly: every key must be consumed exactly once.
class field_reader {
public:
    explicit field_reader(const json::object& o) : o_(o) {}

    std::optional<std::string> error;

    std::string text(std::string_view key)
    {
        const json::value* v = take(key, true);
        if (!v) return {};
        if (!v->is_string()) {
            fail(fmt::format("field '{}' must be a string", key));
            return {};
        }
        return std::string(v->get_string());
    }
    bool has(std::string_view key) const { return o_.contains(key); }
    std::optional<std::string> opt_text(std::string_view key)
    {
        if (!o_.contains(key)) return std::nullopt;
        return text(key);
    }
    std::string excerpt(std::string_view key)
    {
        std::string s = text(key);
        if (s.size() > max_excerpt_bytes) fail(fmt::format("field '{}' exceeds its cap", key));
        return s;
    }
    template <class T>
    T integer(std::string_view key)
    {
        const json::value* v = take(key, true);
        if (!v) return T{};
        if (v->is_int64() && v->get_int64() >= std::numeric_limits<T>::min() &&
            v->get_int64() <= std::numeric_limits<T>::max()) {
            return static_cast<T>(v->get_int64());
        }
        if (v->is_uint64() &&
            v->get_uint64() <= static_cast<std::uint64_t>(std::numeric_limits<T>::max())) {
            return static_cast<T>(v->get_uint64());
        }
        fail(fmt::format("field '{}' must be an integer in range", key));
        return T{};
    }
    bool boolean(std::string_view key)
    {
        const json::value* v = take(key, true);
        if (!v) return false;
        if (!v->is_bool()) fail(fmt::format("field '{}' must be true or false", key));
        return v->is_bool() && v->get_bool();
    }
    template <class E>
    E enumeration(std::string_view key, std::optional<E> (*parse)(std::string_view) noexcept)
    {
        const std::string s = text(key);
        if (error) return E{};
        auto e = parse(s);
        if (!e) fail(fmt::format("field '{}' has unknown value '{}'", key, s));
        return e.value_or(E{});
    }
    occurrence_ref ref()
    {
        occurrence_ref r;
        r.rule = text("rule");
        r.occurrence = text("occurrence");
        const std::string utc = text("utc");
        if (error) return r;
        auto t = parse_utc(utc);
        if (!t) fail(fmt::format("field 'utc' is not an RFC 3339 UTC instant: '{}'", utc));
        r.utc = t.value_or(utc_seconds{});
        return r;
    }
    money::amount money(std::string_view amount_key, money::sign_rule sign)
    {
        const std::string value = text(amount_key);
        const std::string code = text("currency");
        if (error) return placeholder();
        auto a = money::parse_amount(value, code, {.sign = sign});
        if (!a) {
            fail(fmt::format("field '{}': {}", amount_key, a.error().message));
            return placeholder();
        }
        return *a;
    }
    const json::value* take(std::string_view key, bool required)
    {
        const json::value* v = o_.if_contains(key);
        if (!v) {
            if (required) fail(fmt::format("missing field '{}'", key));
            return nullptr;
        }
        ++used_;
        return v;
    }
    void fail(std::string message)
    {
        if (!error) error = std::move(message);
    }
    // After all fields were read: any key left over is unknown.
    void finish()
    {
        if (error || used_ == o_.size()) return;
        fail(fmt::format("unknown or repeated field among {} fields", o_.size()));
    }

private:
    static money::amount placeholder()
    {
        return money::amount(*money::currency::find(money::known_currencies()[0].code), 0);
    }
    const json::object& o_;
    std::size_t used_ = 0;
};

record_body from_fields(field_reader& r, record_type type)
{
    using money::sign_rule;
    switch (type) {
    case record_type::intent: {
        intent_record x{.ref = r.ref(), .amount = r.money("amount", sign_rule::positive)};
        x.payee = r.text("payee");
        x.wallet = r.opt_text("wallet");
        x.memo = r.opt_text("memo");
        x.idempotency_key = r.text("idempotency_key");
        x.prompt = r.text("prompt");
        return x;
    }
    case record_type::result: {
        result_record x{.ref = r.ref()};
        x.outcome = r.enumeration<outcome>("outcome", parse_outcome);
        x.task_id = r.opt_text("task_id");
        x.state = r.opt_text("state");
        x.reason = r.opt_text("reason");
        x.excerpt = r.excerpt("excerpt");
        return x;
    }
    case record_type::skipped:
        return skipped_record{r.ref(), r.text("reason")};
    case record_type::missed:
        return missed_record{r.ref(), r.text("reason"), r.opt_text("through")};
    case record_type::in_doubt:
        return in_doubt_record{r.ref(), r.text("reason")};
    case record_type::reopened:
        return reopened_record{r.ref(), r.text("reason")};
    case record_type::denied: {
        denied_record x{.ref = r.ref()};
        x.limit = r.text("limit");
        x.reason = r.text("reason");
        return x;
    }
    case record_type::failed: {
        failed_record x{.ref = r.ref()};
        x.reason = r.text("reason");
        x.attempts = r.integer<std::uint32_t>("attempts");
        return x;
    }
    case record_type::resolved: {
        resolved_record x{.ref = r.ref()};
        x.resolution = r.enumeration<resolution>("resolution", parse_resolution);
        x.note = r.text("note");
        return x;
    }
    case record_type::reconciled: {
        reconciled_record x{.ref = r.ref()};
        x.result = r.enumeration<reconcile_outcome>("result", parse_reconcile_outcome);
        x.transaction_id = r.opt_text("transaction_id");
        x.evidence = r.excerpt("evidence");
        return x;
    }
    case record_type::mismatch: {
        mismatch_record x{.ref = r.ref()};
        x.claimed_amount = r.opt_text("claimed_amount");
        x.claimed_payee = r.opt_text("claimed_payee");
        x.reason = r.text("reason");
        x.excerpt = r.excerpt("excerpt");
        return x;
    }
    case record_type::confirmed: {
        confirmed_record x{.ref = r.ref()};
        x.attempts = r.integer<std::uint32_t>("attempts");
        x.evidence = r.excerpt("evidence");
        return x;
    }
    case record_type::unconfirmed: {
        unconfirmed_record x{.ref = r.ref()};
        x.attempts = r.integer<std::uint32_t>("attempts");
        x.reason = r.text("reason");
        return x;
    }
    case record_type::condition: {
        condition_record x{.ref = r.ref()};
        x.condition = r.text("condition");
        x.wallet = r.opt_text("wallet");
        const json::value* b = r.take("balance", true);
        if (b && b->is_string() && b->get_string() == "unclear") {
            x.unclear_reason = r.text("unclear_reason");
        } else if (b && b->is_string()) {
            const std::string code = r.text("currency");
            auto a = money::parse_amount(b->get_string(), code, {.sign = sign_rule::any});
            if (a) {
                x.balance = *a;
            } else if (!r.error) {
                r.fail("field 'balance': " + a.error().message);
            }
        } else if (b) {
            r.fail("field 'balance' must be a decimal string or \"unclear\"");
        }
        x.met = r.boolean("met");
        return x;
    }
    case record_type::report: {
        report_record x{.ref = r.ref()};
        x.kind = r.enumeration<report_kind>("kind", parse_report_kind);
        x.outcome = r.enumeration<outcome>("outcome", parse_outcome);
        x.task_id = r.opt_text("task_id");
        x.excerpt = r.excerpt("excerpt");
        return x;
    }
    case record_type::config_loaded: {
        config_loaded_record x;
        x.path = r.text("path");
        x.sha256 = r.text("sha256");
        return x;
    }
    case record_type::rules_loaded: {
        rules_loaded_record x;
        const json::value* v = r.take("rules", true);
        if (v && !v->is_array()) r.fail("field 'rules' must be an array");
        if (v && v->is_array()) {
            for (const auto& item : v->get_array()) {
                const json::object* o = item.if_object();
                const json::value* id = o ? o->if_contains("id") : nullptr;
                const json::value* sha = o ? o->if_contains("sha256") : nullptr;
                if (!o || o->size() != 2 || !id || !id->is_string() || !sha || !sha->is_string()) {
                    r.fail("each of 'rules' must be {\"id\":...,\"sha256\":...}");
                    break;
                }
                x.rules.push_back({std::string(id->get_string()), std::string(sha->get_string())});
            }
        }
        if (r.has("parts")) {
            x.part = r.integer<std::uint32_t>("part");
            x.parts = r.integer<std::uint32_t>("parts");
            if (x.parts < 2 || x.part < 1 || x.part > x.parts)
                r.fail("fields 'part' and 'parts' must satisfy 1 <= part <= parts, parts >= 2");
        }
        return x;
    }
    case record_type::started: {
        started_record x;
        x.version = r.text("version");
        x.pid = r.integer<std::int64_t>("pid");
        return x;
    }
    case record_type::stopped: {
        stopped_record x;
        x.reason = r.text("reason");
        x.in_flight = r.integer<std::uint32_t>("in_flight");
        return x;
    }
    case record_type::grant: {
        grant_record x;
        x.event = r.enumeration<grant_event>("event", parse_grant_event);
        x.client_id = r.text("client_id");
        x.scopes = r.text("scopes");
        if (auto expires = r.opt_text("access_expires"); expires && !r.error) {
            x.access_expires = parse_utc(*expires);
            if (!x.access_expires)
                r.fail(fmt::format("field 'access_expires' is not an RFC 3339 UTC instant: '{}'",
                                   *expires));
        }
        x.rotation = r.integer<std::uint32_t>("rotation");
        x.reason = r.opt_text("reason");
        return x;
    }
    }
    r.fail("unknown record type");
    return stopped_record{};
}

}  // namespace

core::result<json::object> body_to_json(const record_body& body, json::storage_ptr storage)
{
    field_writer w(std::move(storage));
    json::object o = std::visit([&](const auto& r) { return to_fields(w, r); }, body);
    if (w.error) {
        return invalid(fmt::format("{} record: {}", to_string(type_of(body)), *w.error));
    }
    return o;
}

core::result<record_body> body_from_json(record_type type, const json::object& fields)
{
    field_reader r(fields);
    record_body body = from_fields(r, type);
    r.finish();
    if (r.error) return malformed(fmt::format("{} record: {}", to_string(type), *r.error));
    return body;
}

core::result<std::string> line_prefix(const record& r)
{
    // The body's tree lives in an arena on this frame: built, serialised and dropped without a
    // heap allocation per field.
    unsigned char first_block[4096];
    json::monotonic_resource arena(first_block, sizeof first_block);
    auto fields = body_to_json(r.body, &arena);
    if (!fields) return fields.error();
    std::string out = fmt::format(R"({{"seq":{},"ts":"{}","type":"{}")", r.seq, format_ts(r.ts),
                                  to_string(type_of(r.body)));
    if (r.dry_run) out += R"(,"dry_run":true)";
    if (r.stamp) {
        if (r.stamp->node.empty() || !text::is_valid_utf8(r.stamp->node))
            return invalid("the record's node name is empty or not valid UTF-8");
        out += R"(,"node":)";
        out += json::serialize(json::string(r.stamp->node));
        out += R"(,"epoch":)";
        out += std::to_string(r.stamp->epoch);
    }
    if (!fields->empty()) {
        std::string body = json::serialize(*fields);
        // `{...}` -> `,...`
        out += ',';
        out.append(body, 1, body.size() - 2);
    }
    return out;
}

core::result<std::string> format_line(record& r, std::string_view prev_hash)
{
    auto prefix = line_prefix(r);
    if (!prefix) return prefix.error();
    if (prefix->size() + hash_suffix_length + 1 > max_line_bytes) {
        return core::error{make_error_code(audit_errc::record_invalid), 0,
                           fmt::format("{} record would be {} bytes; the limit is {}",
                                       to_string(type_of(r.body)),
                                       prefix->size() + hash_suffix_length + 1, max_line_bytes)};
    }
    // Never write what replay would refuse (an empty identity, a zero or oversized amount):
    // a record the daemon wrote itself must not make its own log corrupt.
    {
        detail::scanned_line scanned;
        detail::summary_scratch scratch;
        record_summary summary;
        std::optional<std::string> problem;
        if (auto failure = detail::scan_prefix(*prefix, scanned)) {
            problem = failure->what;
        } else {
            problem = detail::summarize_scanned(scanned, type_of(r.body), scratch, summary);
        }
        if (problem) {
            return invalid(fmt::format("{} record would not read back: {}",
                                       to_string(type_of(r.body)), *problem));
        }
    }
    thread_local chain_hasher hasher;
    const hash_hex h = hasher.next(prev_hash, *prefix);
    r.hash.assign(h.begin(), h.end());
    std::string line = std::move(*prefix);
    line.reserve(line.size() + hash_suffix_length + 1);
    line += R"(,"hash":")";
    line += r.hash;
    line += "\"}\n";
    return line;
}

core::result<record> parse_line(std::string_view line)
{
    if (line.size() > max_line_bytes) {
        return core::error{
            make_error_code(audit_errc::line_too_long), 0,
            fmt::format("line of {} bytes; no record exceeds {}", line.size(), max_line_bytes)};
    }
    auto parts = split_line(line);
    if (!parts) return malformed("the line does not end with ,\"hash\":\"<64 hex>\"}");
    detail::scanned_line scanned;
    if (auto failure = detail::scan_prefix(parts->prefix, scanned)) {
        return malformed(fmt::format("column {}: {}", failure->column, failure->what));
    }
    auto type = parse_record_type(scanned.type_name);
    if (!type) {
        return core::error{make_error_code(audit_errc::unknown_type), 0,
                           fmt::format("unknown record type '{}'", scanned.type_name)};
    }
    auto ts = parse_ts(scanned.ts);
    if (!ts)
        return malformed(fmt::format("'ts' is not an RFC 3339 UTC time stamp with "
                                     "microseconds: '{}'",
                                     scanned.ts));
    if (scanned.seq == 0) return malformed("'seq' starts at 1");
    boost::system::error_code ec;
    json::value doc = json::parse(line, ec);
    if (ec || !doc.is_object()) return malformed("not a JSON object: " + ec.message());
    json::object& o = doc.get_object();
    for (std::string_view k : {"seq", "ts", "type", "dry_run", "node", "epoch", "hash"}) o.erase(k);
    auto body = body_from_json(*type, o);
    if (!body) return body.error();
    std::optional<node_stamp> stamp;
    if (scanned.stamped) {
        stamp = node_stamp{.node = detail::string_value(scanned.node), .epoch = scanned.epoch};
    }
    return record{.seq = scanned.seq,
                  .ts = *ts,
                  .dry_run = scanned.dry_run,
                  .body = std::move(*body),
                  .hash = std::string(parts->hash),
                  .stamp = std::move(stamp)};
}

}  // namespace paymand::audit
