#include "paymand/daemon/live_table.hpp"

#include "paymand/audit/time_format.hpp"
#include "paymand/inspect/rule_review.hpp"

#include <boost/json.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <vector>

namespace paymand::daemon {

namespace {

std::string when(const rules::rule_set* on_disk, const std::string& id, std::chrono::sys_seconds t)
{
    const auto* r = on_disk != nullptr ? on_disk->find(id) : nullptr;
    return r != nullptr ? inspect::format_local(r->zone, t) : audit::format_utc(t);
}

// "3 h 20 min" from "in 3 h 20 min".
std::string left(std::chrono::sys_seconds now, std::chrono::sys_seconds next)
{
    if (next <= now) return "due now";
    auto text = inspect::format_relative(now, next);
    return text.starts_with("in ") ? text.substr(3) : text;
}

}  // namespace

std::string live_rules_table(const daemon::live_view& view, const rules::rule_set* on_disk,
                             std::chrono::sys_seconds now)
{
    using row = std::array<std::string, 6>;
    std::vector<row> rows{{"RULE", "NEXT", "LEFT", "LAST", "PASSED", "OUTCOME"}};
    for (const auto& r : view.rules) {
        row line{r.id, "-", "-", "-", "-", r.last_outcome.empty() ? "-" : r.last_outcome};
        if (!r.enabled) {
            line[1] = "disabled";
        } else if (r.next) {
            line[1] = when(on_disk, r.id, *r.next);
            line[2] = left(now, *r.next);
        }
        if (r.last) {
            line[3] = when(on_disk, r.id, *r.last);
            line[4] = inspect::format_relative(now, *r.last);
        }
        rows.push_back(std::move(line));
    }
    std::array<std::size_t, 6> width{};
    for (const auto& r : rows)
        for (std::size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
    std::string out;
    for (const auto& r : rows) {
        std::string line;
        for (std::size_t i = 0; i < r.size(); ++i)
            line += i + 1 == r.size() ? r[i] : fmt::format("{:<{}}  ", r[i], width[i]);
        while (!line.empty() && line.back() == ' ') line.pop_back();
        out += line + "\n";
    }
    return out;
}

boost::json::array live_rules_json(const daemon::live_view& view, std::chrono::sys_seconds now)
{
    boost::json::array out;
    for (const auto& r : view.rules) {
        boost::json::object item{{"rule", r.id},
                                 {"sha256", r.sha256},
                                 {"enabled", r.enabled},
                                 {"outcome", r.last_outcome}};
        item["next"] = r.next ? boost::json::value(audit::format_utc(*r.next)) : nullptr;
        item["next_occurrence"] =
            r.next_occurrence ? boost::json::value(*r.next_occurrence) : nullptr;
        item["left_seconds"] =
            r.next ? boost::json::value(std::max<std::int64_t>(0, (*r.next - now).count()))
                   : nullptr;
        item["due_now"] = r.next && *r.next <= now;
        item["last"] = r.last ? boost::json::value(audit::format_utc(*r.last)) : nullptr;
        item["last_occurrence"] =
            r.last_occurrence ? boost::json::value(*r.last_occurrence) : nullptr;
        out.push_back(std::move(item));
    }
    return out;
}

}  // namespace paymand::daemon
