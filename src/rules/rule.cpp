#include "paymand/rules/rule.hpp"

#include "paymand/yaml/reader.hpp"

#include <fmt/format.h>

namespace paymand::rules {

namespace {

// `key=<length>:value\n`: the length prefix keeps values with newlines unambiguous.
void put(std::string& out, std::string_view key, std::string_view value)
{
    out += fmt::format("{}={}:{}\n", key, value.size(), value);
}

void put_action(std::string& out, const pay_action& pay)
{
    put(out, "action", "pay");
    put(out, "payee", pay.payee);
    put(out, "amount", money::format_with_code(pay.amount));
    put(out, "wallet", pay.wallet ? "=" + *pay.wallet : "");
    put(out, "memo", pay.memo ? "=" + *pay.memo : "");
    put(out, "max_amount", pay.max_amount ? money::format_with_code(*pay.max_amount) : "");
}

void put_action(std::string& out, const report_action& report)
{
    put(out, "action", "report");
    put(out, "report", to_string(report.what));
}

}  // namespace

const char* to_string(report_kind kind)
{
    return report_kind_words.word(kind, "unknown").data();
}

std::string canonical_form(const rule& r)
{
    std::string out;
    put(out, "format", "paymand-rule-1");
    put(out, "id", r.id);
    put(out, "description", r.description);
    put(out, "enabled", r.enabled ? "true" : "false");
    put(out, "schedule", r.calendar.normalised());
    put(out, "timezone", r.zone.name());
    put(out, "when", r.when ? describe(*r.when) : "");
    std::visit([&](const auto& a) { put_action(out, a); }, r.what);
    put(out, "catchup", schedule::to_string(r.catchup));
    put(out, "catchup_window", yaml::format_duration(r.catchup_window));
    put(out, "overlap", schedule::to_string(r.overlap));
    return out;
}

}  // namespace paymand::rules
