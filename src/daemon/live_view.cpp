#include "paymand/daemon/live_view.hpp"

#include "paymand/audit/time_format.hpp"
#include "paymand/daemon/atomic_file.hpp"
#include "paymand/inspect/rule_review.hpp"
#include "paymand/text/word_table.hpp"

#include <boost/json.hpp>
#include <boost/system/errc.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

namespace paymand::daemon {

namespace json = boost::json;

namespace {

// A view is small (a few hundred bytes per rule); anything far larger is not ours.
constexpr std::uintmax_t max_view_bytes = 64u << 20;

json::value time_or_null(const std::optional<std::chrono::sys_seconds>& t)
{
    if (!t) return nullptr;
    return json::value(audit::format_utc(*t));
}

json::value text_or_null(const std::optional<std::string>& s)
{
    if (!s) return nullptr;
    return json::value(*s);
}

json::array strings(const std::vector<std::string>& list)
{
    json::array out;
    for (const auto& s : list) out.emplace_back(s);
    return out;
}

// Reading: each accessor throws std::invalid_argument naming the field.
struct reader {
    const json::object& o;
    std::string where;

    std::invalid_argument problem(std::string_view key, std::string_view what) const
    {
        return std::invalid_argument(fmt::format("{}{} {}", where, key, what));
    }

    const json::value& at(std::string_view key) const
    {
        const auto* v = o.if_contains(key);
        if (v == nullptr) throw problem(key, "is missing");
        return *v;
    }
    std::string text(std::string_view key) const
    {
        const auto& v = at(key);
        if (!v.is_string()) throw problem(key, "is not a string");
        return std::string(v.get_string());
    }
    std::optional<std::string> optional_text(std::string_view key) const
    {
        if (at(key).is_null()) return std::nullopt;
        return text(key);
    }
    std::chrono::sys_seconds time(std::string_view key) const
    {
        auto t = audit::parse_utc(text(key));
        if (!t) throw problem(key, "is not a UTC time");
        return *t;
    }
    std::optional<std::chrono::sys_seconds> optional_time(std::string_view key) const
    {
        if (at(key).is_null()) return std::nullopt;
        return time(key);
    }
    bool flag(std::string_view key) const
    {
        const auto& v = at(key);
        if (!v.is_bool()) throw problem(key, "is not a boolean");
        return v.get_bool();
    }
    std::int64_t number(std::string_view key) const
    {
        const auto& v = at(key);
        if (!v.is_int64() && !v.is_uint64()) throw problem(key, "is not an integer");
        return v.to_number<std::int64_t>();
    }
    const json::array& list(std::string_view key) const
    {
        const auto& v = at(key);
        if (!v.is_array()) throw problem(key, "is not a list");
        return v.get_array();
    }
    std::vector<std::string> texts(std::string_view key) const
    {
        std::vector<std::string> out;
        for (const auto& v : list(key)) {
            if (!v.is_string()) throw problem(key, "holds a non-string");
            out.emplace_back(v.get_string());
        }
        return out;
    }
};

const json::object& object_of(const json::value& v, const std::string& where)
{
    if (!v.is_object()) throw std::invalid_argument(where + " is not an object");
    return v.get_object();
}

std::string zone_name(const rules::rule& r)
{
    return std::string(r.zone.name());
}

}  // namespace

namespace {

constexpr auto change_words = text::make_word_table<rule_change::kind>({
    {rule_change::kind::added, "added"},
    {rule_change::kind::removed, "removed"},
    {rule_change::kind::changed, "changed"},
});

}  // namespace

std::string_view to_string(rule_change::kind k) noexcept
{
    return change_words.word(k, "changed");
}

std::filesystem::path live_view_path(const std::filesystem::path& state_directory)
{
    return state_directory / "live.json";
}

json::object to_json(const credentials_report& c)
{
    return json::object{{"state", std::string(to_string(c.state))},
                        {"summary", c.summary},
                        {"findings", strings(c.findings)},
                        {"checked_at", time_or_null(c.checked_at)}};
}

json::object to_json(const live_reload& r)
{
    json::array changes;
    for (const auto& c : r.changes)
        changes.push_back(json::object{{"rule", c.id},
                                       {"change", std::string(to_string(c.what))},
                                       {"before", c.before},
                                       {"after", c.after}});
    return json::object{{"at", audit::format_utc(r.at)},
                        {"ok", r.ok},
                        {"error", r.error},
                        {"changes", std::move(changes)}};
}

json::object to_json(const live_ha& ha)
{
    return json::object{{"node", ha.node},
                        {"role", ha.role},
                        {"epoch", ha.epoch},
                        {"lease_remaining_ms", ha.lease_remaining_ms},
                        {"not_eligible", ha.not_eligible}};
}

std::string serialize(const live_view& view)
{
    json::array rules;
    for (const auto& r : view.rules)
        rules.push_back(json::object{{"id", r.id},
                                     {"sha256", r.sha256},
                                     {"enabled", r.enabled},
                                     {"next_occurrence", text_or_null(r.next_occurrence)},
                                     {"next", time_or_null(r.next)},
                                     {"last_occurrence", text_or_null(r.last_occurrence)},
                                     {"last", time_or_null(r.last)},
                                     {"last_outcome", r.last_outcome}});
    json::value reload = nullptr;
    if (view.last_reload) reload = to_json(*view.last_reload);
    json::object out{{"format", live_view_format},
                     {"pid", view.pid},
                     {"version", view.version},
                     {"config", view.config_path},
                     {"started_at", audit::format_utc(view.started_at)},
                     {"written_at", audit::format_utc(view.written_at)},
                     {"stopped", view.stopped},
                     {"rules", std::move(rules)},
                     {"in_doubt", strings(view.in_doubt)},
                     {"unconfirmed", strings(view.unconfirmed)},
                     {"in_flight", view.in_flight},
                     {"audit_writable", view.audit_writable},
                     {"credentials", to_json(view.credentials)},
                     {"last_reload", std::move(reload)}};
    if (view.ha) out["ha"] = to_json(*view.ha);
    return json::serialize(out) + "\n";
}

core::result<live_view> parse_live_view(std::string_view text)
{
    const auto refuse = [](std::string why) {
        return core::error{make_error_code(boost::system::errc::invalid_argument), 0,
                           std::move(why)};
    };
    boost::system::error_code ec;
    auto parsed = json::parse(text, ec);
    if (ec) return refuse("not JSON: " + ec.message());
    try {
        const reader top{object_of(parsed, "the view"), ""};
        if (top.number("format") != live_view_format)
            return refuse(fmt::format("format {} is not {} (another paymand version wrote it)",
                                      top.number("format"), live_view_format));
        live_view view;
        view.pid = top.number("pid");
        view.version = top.text("version");
        view.config_path = top.text("config");
        view.started_at = top.time("started_at");
        view.written_at = top.time("written_at");
        view.stopped = top.flag("stopped");
        for (const auto& v : top.list("rules")) {
            const reader r{object_of(v, "a rule"), "rule: "};
            view.rules.push_back(live_rule{.id = r.text("id"),
                                           .sha256 = r.text("sha256"),
                                           .enabled = r.flag("enabled"),
                                           .next_occurrence = r.optional_text("next_occurrence"),
                                           .next = r.optional_time("next"),
                                           .last_occurrence = r.optional_text("last_occurrence"),
                                           .last = r.optional_time("last"),
                                           .last_outcome = r.text("last_outcome")});
        }
        view.in_doubt = top.texts("in_doubt");
        view.unconfirmed = top.texts("unconfirmed");
        view.in_flight = static_cast<std::size_t>(top.number("in_flight"));
        view.audit_writable = top.flag("audit_writable");
        const reader c{object_of(top.at("credentials"), "credentials"), "credentials."};
        const auto state = parse_credentials_state(c.text("state"));
        if (!state) throw std::invalid_argument("credentials.state is unknown");
        view.credentials.state = *state;
        view.credentials.summary = c.text("summary");
        view.credentials.findings = c.texts("findings");
        view.credentials.checked_at = c.optional_time("checked_at");
        if (!top.at("last_reload").is_null()) {
            const reader l{object_of(top.at("last_reload"), "last_reload"), "last_reload."};
            live_reload reload{.at = l.time("at"), .ok = l.flag("ok"), .error = l.text("error")};
            for (const auto& v : l.list("changes")) {
                const reader ch{object_of(v, "a change"), "change: "};
                const auto what = ch.text("change");
                rule_change change{
                    .id = ch.text("rule"), .before = ch.text("before"), .after = ch.text("after")};
                if (what == "added")
                    change.what = rule_change::kind::added;
                else if (what == "removed")
                    change.what = rule_change::kind::removed;
                else if (what == "changed")
                    change.what = rule_change::kind::changed;
                else
                    throw std::invalid_argument("change: change is unknown");
                reload.changes.push_back(std::move(change));
            }
            view.last_reload = std::move(reload);
        }
        if (const auto* ha = top.o.if_contains("ha"); ha != nullptr && !ha->is_null()) {
            const reader h{object_of(*ha, "ha"), "ha."};
            view.ha = live_ha{.node = h.text("node"),
                              .role = h.text("role"),
                              .epoch = h.number("epoch"),
                              .lease_remaining_ms = h.number("lease_remaining_ms"),
                              .not_eligible = h.text("not_eligible")};
        }
        return view;
    } catch (const std::exception& e) {
        return refuse(e.what());
    }
}

core::result<std::size_t> write_live_view(const std::filesystem::path& file, const live_view& view)
{
    // A copy of what the daemon holds, written every live_view_pause while it works: no fsync on
    // the io_context's thread (two per write, behind every audit commit on a busy disk).
    const auto text = serialize(view);
    if (auto written = write_atomically(file, text, 0600, durability::replaced_only); !written)
        return written.error();
    return text.size();
}

std::chrono::steady_clock::duration live_view_pause(std::chrono::steady_clock::duration write_cost)
{
    constexpr auto least = std::chrono::milliseconds(200);
    // A write that stalled on the disk must not leave the view stale for minutes.
    constexpr auto most = std::chrono::seconds(5);
    constexpr int share = 50;
    return std::clamp<std::chrono::steady_clock::duration>(share * write_cost, least, most);
}

std::chrono::steady_clock::time_point
live_view_write_at(std::chrono::steady_clock::time_point first_change,
                   std::chrono::steady_clock::time_point last_change,
                   std::chrono::steady_clock::time_point earliest)
{
    constexpr auto settle = std::chrono::milliseconds(20);
    constexpr auto most_behind = std::chrono::seconds(1);
    return std::max(earliest, std::min(last_change + settle, first_change + most_behind));
}

core::result<std::optional<live_view>> read_live_view(const std::filesystem::path& file)
{
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        const int err = errno;
        if (err == ENOENT) return std::optional<live_view>();
        return core::error{{err, boost::system::system_category()},
                           0,
                           fmt::format("cannot read {}: {}", file.string(), std::strerror(err))};
    }
    std::error_code size_ec;
    if (std::filesystem::file_size(file, size_ec) > max_view_bytes && !size_ec)
        return core::error{
            make_error_code(boost::system::errc::file_too_large), 0,
            fmt::format("{} is larger than {} bytes", file.string(), max_view_bytes)};
    std::ostringstream text;
    text << in.rdbuf();
    auto view = parse_live_view(text.str());
    if (!view)
        return core::error{
            view.error().code, 0,
            fmt::format("{} is not a live view: {}", file.string(), view.error().message)};
    return std::optional<live_view>(std::move(*view));
}

std::string rule_essentials(const rules::rule& r)
{
    return fmt::format("{} {}{}: {}", r.calendar.normalised(), zone_name(r),
                       r.enabled ? "" : " (disabled)", inspect::describe_action(r));
}

std::vector<rule_change> diff_rules(const rules::rule_set& before, const rules::rule_set& after)
{
    std::map<std::string_view, const rules::rule*> old_rules;
    std::map<std::string_view, const rules::rule*> new_rules;
    for (const auto& r : before.rules()) old_rules[r.id] = &r;
    for (const auto& r : after.rules()) new_rules[r.id] = &r;
    std::vector<rule_change> out;
    auto o = old_rules.begin();
    auto n = new_rules.begin();
    while (o != old_rules.end() || n != new_rules.end()) {
        if (n == new_rules.end() || (o != old_rules.end() && o->first < n->first)) {
            out.push_back({rule_change::kind::removed,
                           std::string(o->first),
                           rule_essentials(*o->second),
                           {}});
            ++o;
        } else if (o == old_rules.end() || n->first < o->first) {
            out.push_back(
                {rule_change::kind::added, std::string(n->first), {}, rule_essentials(*n->second)});
            ++n;
        } else {
            if (o->second->content_hash != n->second->content_hash)
                out.push_back({rule_change::kind::changed, std::string(n->first),
                               rule_essentials(*o->second), rule_essentials(*n->second)});
            ++o;
            ++n;
        }
    }
    return out;
}

std::string describe_changes(const std::vector<rule_change>& changes, std::size_t max_named)
{
    if (changes.empty()) return "no rule changed";
    std::map<rule_change::kind, std::vector<std::string>> by_kind;
    std::size_t named = 0;
    for (const auto& c : changes) {
        if (named == max_named) break;
        ++named;
        switch (c.what) {
        case rule_change::kind::added:
            by_kind[c.what].push_back(fmt::format("{} ({})", c.id, c.after));
            break;
        case rule_change::kind::removed:
            by_kind[c.what].push_back(fmt::format("{} (was {})", c.id, c.before));
            break;
        case rule_change::kind::changed:
            by_kind[c.what].push_back(fmt::format("{} ({} -> {})", c.id, c.before, c.after));
            break;
        }
    }
    std::string out;
    for (const auto& [kind, items] : by_kind) {
        out += (out.empty() ? "" : "; ") + std::string(to_string(kind)) + ": ";
        for (std::size_t i = 0; i < items.size(); ++i) out += (i == 0 ? "" : ", ") + items[i];
    }
    if (changes.size() > named) out += fmt::format("; and {} more", changes.size() - named);
    return out;
}

std::vector<std::string> differences(const live_view& view, const rules::rule_set& on_disk)
{
    std::map<std::string_view, std::string_view> running;
    std::map<std::string_view, std::string_view> files;
    for (const auto& r : view.rules) running[r.id] = r.sha256;
    for (const auto& r : on_disk.rules()) files[r.id] = r.content_hash;
    std::vector<std::string> out;
    for (const auto& [id, hash] : files) {
        const auto it = running.find(id);
        if (it == running.end())
            out.push_back(fmt::format("{} added to the files, not yet loaded", id));
        else if (it->second != hash)
            out.push_back(fmt::format("{} edited, not yet reloaded", id));
    }
    for (const auto& [id, hash] : running)
        if (!files.contains(id))
            out.push_back(fmt::format("{} removed from the files, still running", id));
    std::sort(out.begin(), out.end());
    return out;
}

bool is_live(const live_view& view, std::optional<std::int64_t> lock_holder)
{
    return lock_holder && *lock_holder == view.pid && !view.stopped;
}

}  // namespace paymand::daemon
