#include "paymand/rules/rule_loader.hpp"

#include "paymand/core/sha256.hpp"
#include "paymand/money/figures.hpp"
#include "paymand/prompt/memo_tag.hpp"
#include "paymand/schedule/identity.hpp"
#include "paymand/schedule/interval.hpp"
#include "paymand/text/safe_text.hpp"
#include "paymand/text/suggest.hpp"
#include "paymand/yaml/document.hpp"
#include "paymand/yaml/quote.hpp"
#include "paymand/yaml/reader.hpp"
#include "rules/fields.hpp"
#include "rules/memo.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace paymand::rules {

using yaml::presence;

namespace {

constexpr std::size_t max_description = 500;
constexpr auto max_catchup_window = std::chrono::seconds(366 * 86400);

std::string figure(const money::amount& a)
{
    return fmt::format("{} {}", money::format_figure(a.minor_units(), a.unit().code()),
                       a.unit().code());
}

std::string figure(std::int64_t minor, money::currency unit)
{
    return figure(money::amount(unit, minor));
}

std::string format_minutes(std::chrono::minutes m)
{
    return yaml::format_duration(std::chrono::duration_cast<std::chrono::seconds>(m));
}

class rule_parser {
public:
    rule_parser(const yaml::reader& in, const policy& pol, const schedule::zone& default_zone)
        : in_(in), policy_(pol), default_zone_(default_zone),
          file_(std::make_shared<const std::string>(in.file()))
    {
    }

    std::optional<rule> parse(const YAML::Node& node);
    std::optional<balance_condition> parse_balance(const yaml::field& f, const action* what);

private:
    std::optional<condition> parse_condition(const yaml::field& f, const action* what);
    std::optional<pay_action> parse_pay(const yaml::field& f, const std::string& rule_id);
    std::optional<report_action> parse_report(const yaml::field& f);
    void check_against_limits(const pay_action& pay, const yaml::mapping& m,
                              const yaml::field& pay_field);
    // A wallet name: the safe-text grammar, then the admin's wallets allow-list.
    std::optional<std::string> read_wallet(const yaml::field* f);

    const yaml::reader& in_;
    const policy& policy_;
    const schedule::zone& default_zone_;
    std::shared_ptr<const std::string> file_;  // every rule's origin.path
};

// The kinds of condition `when:` may hold, each with its parser: adding a kind is one entry
// here plus its struct in condition.hpp.
struct condition_kind {
    std::string_view name;
    std::optional<condition> (*parse)(rule_parser&, const yaml::field&, const action*);
};

std::optional<rule> rule_parser::parse(const YAML::Node& node)
{
    auto m = in_.read_mapping(node,
                              {{"id", presence::required},
                               {"description"},
                               {"enabled"},
                               {"schedule", presence::required},
                               {"day_match"},
                               {"short_month"},
                               {"timezone"},
                               {"when"},
                               {"pay"},
                               {"report"},
                               {"catchup"},
                               {"catchup_window"},
                               {"overlap"}},
                              "rule");
    if (!m) return std::nullopt;
    auto errors_before = in_.diags().size();

    rule r{.zone = default_zone_, .what = report_action{}};
    r.origin = {file_, node.Mark().line + 1, node.Mark().column + 1};

    if (const auto* f = m->find("id")) {
        if (auto id = in_.text(*f)) {
            if (schedule::is_valid_rule_id(*id))
                r.id = *id;
            else
                in_.error(*f, fmt::format("\"id\" must be 1 to 64 characters of a-z, 0-9, '.', "
                                          "'_' or '-', starting with a letter or digit; got "
                                          "{}",
                                          yaml::quote_value(*id)));
        }
    }
    if (const auto* f = m->find("description")) {
        if (auto d = in_.text(*f)) {
            if (d->size() > max_description)
                in_.error(*f, fmt::format("\"description\" is {} bytes long, at most {} allowed",
                                          d->size(), max_description));
            else
                r.description = *d;
        }
    }
    r.enabled = in_.boolean_or(*m, "enabled", true);

    schedule::schedule_options options;
    if (const auto* f = m->find("day_match"))
        options.day_match = in_.one_of(*f, schedule::day_match_words);
    if (const auto* f = m->find("short_month"))
        options.short_month = in_.one_of(*f, schedule::short_month_words);
    bool schedule_ok = false;
    const yaml::field* schedule_field = m->find("schedule");
    bool options_ok = (!m->has("day_match") || options.day_match) &&
                      (!m->has("short_month") || options.short_month);
    if (schedule_field) {
        if (auto text = in_.text(*schedule_field); text && options_ok) {
            auto parsed = schedule::parse_schedule(*text, options);
            if (parsed) {
                r.calendar = *parsed;
                schedule_ok = true;
            } else {
                in_.error(detail::mark_in_scalar(in_, *schedule_field, parsed.error().offset),
                          fmt::format("\"schedule\": {}", parsed.error().message));
            }
        }
    }

    if (const auto* f = m->find("timezone"))
        if (auto z = detail::read_zone(in_, *f)) r.zone = *z;

    // The action first: the condition's defaults depend on it.
    const yaml::field* pay_field = m->find("pay");
    const yaml::field* report_field = m->find("report");
    bool action_ok = false;
    if (pay_field && report_field) {
        const yaml::field* second =
            pay_field->key.Mark().pos > report_field->key.Mark().pos ? pay_field : report_field;
        in_.error(second->key, "a rule has exactly one action, this one has both pay and "
                               "report; split it into two rules");
    } else if (!pay_field && !report_field) {
        in_.error(node, "rule has no action: add pay: or report:");
    } else if (pay_field) {
        if (auto pay = parse_pay(*pay_field, r.id)) {
            r.what = std::move(*pay);
            action_ok = true;
        }
        // Every payment's memo carries the tag pm:<id>:<date-time>: an id whose parts the memo
        // grammar refuses (a steering word such as "ignore") would fail every payment at run
        // time, so it is refused here.
        if (const auto* f = m->find("id"); f && !r.id.empty()) {
            const auto tag = prompt::format_memo_tag(
                {.rule_id = r.id, .date = std::chrono::year(2026) / 1 / 1, .hour = 0, .minute = 0});
            if (auto ok = text::check_text(text::text_field::memo, tag); !ok)
                in_.error(*f, fmt::format("a pay rule's id goes into the memo tag of each "
                                          "payment, and this one is refused there: {}",
                                          ok.error().message));
        }
    } else if (auto report = parse_report(*report_field)) {
        r.what = *report;
        action_ok = true;
    }

    if (const auto* f = m->find("when"))
        r.when = parse_condition(*f, action_ok ? &r.what : nullptr);

    if (const auto* f = m->find("catchup"))
        if (auto c = in_.one_of(*f, schedule::catchup_words)) r.catchup = *c;
    if (const auto* f = m->find("catchup_window")) {
        if (r.catchup == schedule::catchup_policy::none && m->has("catchup"))
            in_.error(f->key, "\"catchup_window\" has no effect with catchup: none; remove it");
        else if (auto w = in_.duration(*f, std::chrono::seconds(60), max_catchup_window))
            r.catchup_window = *w;
    }
    if (const auto* f = m->find("overlap"))
        if (auto o = in_.one_of(*f, schedule::overlap_words)) r.overlap = *o;

    // A pay rule may not fire more often than the admin allows.
    if (schedule_ok && action_ok && r.pays()) {
        auto shortest = schedule::shortest_interval(r.calendar);
        if (shortest < policy_.min_pay_interval)
            in_.error(*schedule_field,
                      fmt::format("\"schedule\": pay rule \"{}\" can fire every {}, more often "
                                  "than min_pay_interval {} allows",
                                  r.calendar.normalised(), format_minutes(shortest),
                                  yaml::format_duration(policy_.min_pay_interval)));
    }

    if (in_.diags().size() != errors_before) return std::nullopt;
    r.content_hash = core::sha256_hex(canonical_form(r));
    return r;
}

std::optional<pay_action> rule_parser::parse_pay(const yaml::field& f, const std::string& rule_id)
{
    auto m = in_.read_mapping(f.value,
                              {{"payee", presence::required},
                               {"amount", presence::required},
                               {"currency"},
                               {"wallet"},
                               {"memo"},
                               {"max_amount"}},
                              "pay action");
    if (!m) return std::nullopt;
    auto errors_before = in_.diags().size();

    std::optional<money::currency> unit = money::currency::find("TSD");
    if (const auto* c = m->find("currency")) unit = detail::read_currency(in_, *c);

    std::optional<std::string> payee;
    if (const auto* p = m->find("payee")) {
        payee = detail::read_safe_text(in_, *p, detail::text_kind::payee);
        if (payee && !policy_.allows_payee(*payee)) {
            const auto hint = text::did_you_mean(text::nearest(*payee, policy_.payees), "\"");
            in_.error(*p, fmt::format("payee \"{}\" is not in the allowed payees of the config; "
                                      "{}the admin must list it under payees:",
                                      *payee, hint.empty() ? "" : hint + " Otherwise "));
            payee.reset();
        }
    }
    std::optional<money::amount> amount;
    std::optional<money::amount> max_amount;
    if (unit) {
        if (const auto* a = m->find("amount")) amount = detail::read_amount(in_, *a, *unit);
        if (const auto* a = m->find("max_amount")) {
            max_amount = detail::read_amount(in_, *a, *unit);
            if (amount && max_amount && max_amount->minor_units() < amount->minor_units()) {
                in_.error(*a, fmt::format("\"max_amount\" {} is below the amount {}; the rule "
                                          "could never pay",
                                          figure(*max_amount), figure(*amount)));
            }
        }
    }
    std::optional<std::string> wallet = read_wallet(m->find("wallet"));
    if (!m->has("wallet")) wallet = policy_.default_wallet;
    std::optional<std::string> memo;
    if (const auto* mf = m->find("memo")) {
        if (auto text = in_.text(*mf)) {
            if (auto checked = detail::check_memo_template(*text, rule_id); !checked) {
                in_.error(detail::mark_in_scalar(in_, *mf, checked.error().offset),
                          fmt::format("\"memo\": {}", checked.error().message));
            } else {
                memo = *text;
            }
        }
    }
    if (in_.diags().size() != errors_before || !payee || !amount) return std::nullopt;
    pay_action pay{.payee = *payee,
                   .amount = *amount,
                   .wallet = wallet,
                   .memo = memo,
                   .max_amount = max_amount};
    check_against_limits(pay, *m, f);
    if (in_.diags().size() != errors_before) return std::nullopt;
    return pay;
}

std::optional<std::string> rule_parser::read_wallet(const yaml::field* f)
{
    if (f == nullptr) return std::nullopt;
    // Structure first: a name the admin did not list is refused as such, whatever its words
    // (the listed names passed the safe-text grammar when the config was loaded).
    if (!policy_.any_wallet) {
        auto wallet = in_.text(*f);
        if (wallet && !policy_.allows_wallet(*wallet)) {
            in_.error(*f, wallet_refusal(policy_, *wallet));
            return std::nullopt;
        }
        return wallet;
    }
    return detail::read_safe_text(in_, *f, detail::text_kind::wallet);
}

void rule_parser::check_against_limits(const pay_action& pay, const yaml::mapping& m,
                                       const yaml::field& pay_field)
{
    const auto& lim = policy_.limits;
    if (!lim.enabled) return;
    auto unit = pay.amount.unit();
    std::string code(unit.code());
    const yaml::field* currency_field = m.find("currency");
    const yaml::field* amount_field = m.find("amount");
    auto it = lim.currencies.find(code);
    if (it == lim.currencies.end()) {
        std::string message = fmt::format("the config has no limits for {}, so payments in it "
                                          "are refused; the admin must add limits.currencies.{}",
                                          code, code);
        if (currency_field)
            in_.error(*currency_field, message);
        else
            in_.error(pay_field.key, message);
        return;
    }
    const auto& cl = it->second;
    std::int64_t amount = pay.amount.minor_units();
    if (cl.per_transaction && amount > *cl.per_transaction)
        in_.error(*amount_field,
                  fmt::format("\"amount\" {} is above the config's per-transaction limit {}",
                              figure(pay.amount), figure(*cl.per_transaction, unit)));
    if (pay.max_amount && cl.per_transaction && pay.max_amount->minor_units() > *cl.per_transaction)
        in_.error(*m.find("max_amount"),
                  fmt::format("\"max_amount\" {} would widen the config's per-transaction limit "
                              "{}; a rule may only narrow it",
                              figure(*pay.max_amount), figure(*cl.per_transaction, unit)));
    // A single payment above a total limit could never be made.
    auto never = [&](std::optional<std::int64_t> limit, std::string_view what) {
        if (limit && amount > *limit)
            in_.error(*amount_field,
                      fmt::format("\"amount\" {} is above the config's {} {}, so this rule could "
                                  "never pay",
                                  figure(pay.amount), what, figure(*limit, unit)));
    };
    never(cl.daily, "daily limit");
    never(cl.monthly, "monthly limit");
    never(cl.payee_daily, "per-payee daily limit");
    never(cl.payee_monthly, "per-payee monthly limit");
    if (auto p = lim.payees.find(pay.payee); p != lim.payees.end()) {
        if (auto c = p->second.find(code); c != p->second.end()) {
            never(c->second.daily, fmt::format("daily limit for {}", pay.payee));
            never(c->second.monthly, fmt::format("monthly limit for {}", pay.payee));
        }
    }
}

std::optional<report_action> rule_parser::parse_report(const yaml::field& f)
{
    if (auto kind = in_.one_of(f, report_kind_words)) return report_action{*kind};
    return std::nullopt;
}

std::optional<condition> parse_balance_kind(rule_parser& p, const yaml::field& f,
                                            const action* what);

constexpr condition_kind condition_kinds[] = {
    {"balance", &parse_balance_kind},
};

std::optional<condition> rule_parser::parse_condition(const yaml::field& f, const action* what)
{
    std::vector<yaml::key_rule> keys;
    for (const auto& k : condition_kinds) keys.push_back({k.name});
    auto m = in_.read_mapping(f.value, keys, "condition (when)");
    if (!m) return std::nullopt;
    if (m->fields().size() > 1) {
        in_.error(m->fields()[1].key, "\"when\" holds more than one condition; use one");
        return std::nullopt;
    }
    if (m->fields().empty()) {
        // Unknown keys were reported already; an empty mapping needs its own message.
        if (f.value.size() == 0)
            in_.error(f.value, "\"when\" must hold exactly one condition, e.g. balance: "
                               "{wallet: Main, at_least: 100}");
        return std::nullopt;
    }
    const auto& only = m->fields().front();
    for (const auto& k : condition_kinds)
        if (k.name == only.name) return k.parse(*this, only, what);
    return std::nullopt;
}

std::optional<condition> parse_balance_kind(rule_parser& p, const yaml::field& f,
                                            const action* what)
{
    auto b = p.parse_balance(f, what);
    if (!b) return std::nullopt;
    return condition{*b};
}

std::optional<balance_condition> rule_parser::parse_balance(const yaml::field& f,
                                                            const action* what)
{
    using op = balance_condition::comparison;
    auto m = in_.read_mapping(f.value,
                              {{"wallet", presence::required},
                               {"currency"},
                               {"above"},
                               {"at_least"},
                               {"below"},
                               {"min_remaining"}},
                              "balance condition");
    if (!m) return std::nullopt;
    auto errors_before = in_.diags().size();
    std::optional<std::string> wallet = read_wallet(m->find("wallet"));

    const pay_action* pay = what ? std::get_if<pay_action>(what) : nullptr;
    std::optional<money::currency> unit = pay ? pay->amount.unit() : *money::currency::find("TSD");
    if (const auto* c = m->find("currency")) {
        unit = detail::read_currency(in_, *c);
        if (unit && pay && !(*unit == pay->amount.unit()))
            in_.error(*c, fmt::format("the balance condition is in {} but the rule pays in {}; "
                                      "they must match",
                                      unit->code(), pay->amount.unit().code()));
    }

    std::vector<std::pair<const yaml::field*, op>> found;
    for (const auto& [kind, name] : comparison_words.rows())
        if (const auto* c = m->find(name)) found.push_back({c, kind});
    if (found.empty()) {
        in_.error(f.value, "the balance condition needs one comparison: above, at_least, below "
                           "or min_remaining");
        return std::nullopt;
    }
    if (found.size() > 1) {
        auto later = std::max_element(found.begin(), found.end(), [](auto& a, auto& b) {
            return a.first->key.Mark().pos < b.first->key.Mark().pos;
        });
        in_.error(later->first->key, "the balance condition has more than one comparison; "
                                     "use exactly one of above, at_least, below, min_remaining");
        return std::nullopt;
    }
    auto [cmp_field, kind] = found.front();
    if (kind == op::min_remaining && what && !pay)
        in_.error(cmp_field->key, "min_remaining compares the balance left after a payment, so "
                                  "it needs a pay action");
    std::optional<money::amount> threshold;
    if (unit) {
        // Thresholds may be zero ("above: 0" means "any positive balance").
        if (auto text = in_.scalar(*cmp_field)) {
            auto parsed =
                money::parse_amount(text->text, *unit, {.sign = money::sign_rule::non_negative});
            if (parsed)
                threshold = *parsed;
            else
                in_.error(detail::mark_in_scalar(in_, *cmp_field, parsed.error().offset),
                          fmt::format("\"{}\": {}", cmp_field->name, parsed.error().message));
        }
    }
    if (in_.diags().size() != errors_before || !wallet || !threshold) return std::nullopt;
    return balance_condition{*wallet, kind, *threshold};
}

}  // namespace

rule_loader::rule_loader(const policy& pol, yaml::diagnostics& diags)
    : policy_(&pol), diags_(&diags), errors_before_(diags.size())
{
}

void rule_loader::add_text(std::string_view text, const std::string& file)
{
    if (auto root = yaml::load_text(text, file, *diags_)) add_node(*root, file);
}

void rule_loader::add_file(const std::filesystem::path& path, std::optional<std::string> file)
{
    std::string name = file ? *file : path.string();
    if (auto root = yaml::load_file(path, name, *diags_)) add_node(*root, name);
}

std::vector<std::filesystem::path> rule_files_in(const std::filesystem::path& dir)
{
    std::vector<std::filesystem::path> files;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
        auto name = entry.path().filename().string();
        if (name.starts_with('.') || !name.ends_with(".yaml")) continue;
        files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    return files;
}

void rule_loader::add_directory(const std::filesystem::path& dir)
{
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) {
        diags_->error(dir.string(), 1, 1, "not a directory of rule files");
        return;
    }
    std::vector<std::filesystem::path> misnamed;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
        auto name = entry.path().filename().string();
        if (!name.starts_with('.') && name.ends_with(".yml")) misnamed.push_back(entry.path());
    }
    std::sort(misnamed.begin(), misnamed.end());
    for (const auto& p : misnamed)
        diags_->error(p.string(), 1, 1,
                      "rule files must end in .yaml; rename it so that it is not ignored");
    for (const auto& p : rule_files_in(dir)) add_file(p);
}

void rule_loader::add_node(const YAML::Node& root, const std::string& file)
{
    yaml::reader in(file, *diags_);
    if (root.IsNull()) {
        diags_->error(file, 1, 1, "empty rule file; a rule file is a mapping with a rules: list");
        return;
    }
    auto m = in.read_mapping(root, {{"rules", presence::required}}, "rule file");
    if (!m) return;
    const auto* list = m->find("rules");
    if (!list) return;
    auto items = in.sequence(*list);
    if (!items) return;
    if (items->empty()) in.error(*list, "\"rules\" is an empty list; remove the file instead");

    auto zone = schedule::find_zone(policy_->timezone);
    if (!zone) {
        in.error(list->key, fmt::format("the config's time zone: {}", zone.error().message));
        return;
    }
    rule_parser parser(in, *policy_, *zone);
    for (const auto& item : *items) {
        // Duplicate ids are checked on the raw id so that they are found even when the rule
        // has other errors.
        if (item.IsMap()) {
            for (auto it = item.begin(); it != item.end(); ++it) {
                if (!it->first.IsScalar() || it->first.Scalar() != "id" || !it->second.IsScalar())
                    continue;
                const std::string& id = it->second.Scalar();
                auto mark = it->second.Mark();
                auto [pos, inserted] =
                    ids_.try_emplace(id, seen_id{file, mark.line + 1, mark.column + 1});
                if (!inserted)
                    in.error(mark, fmt::format("duplicate rule id {} (first defined at "
                                               "{}:{}:{})",
                                               yaml::quote_value(id), pos->second.file,
                                               pos->second.line, pos->second.column));
                break;
            }
        }
        if (auto r = parser.parse(item)) rules_.push_back(std::move(*r));
    }
}

std::optional<rule_set> rule_loader::finish()
{
    if (diags_->size() != errors_before_) {
        rules_.clear();
        return std::nullopt;
    }
    return rule_set(std::move(rules_));
}

std::optional<rule_set> load_rules_directory(const std::filesystem::path& dir, const policy& pol,
                                             yaml::diagnostics& diags)
{
    rule_loader loader(pol, diags);
    loader.add_directory(dir);
    return loader.finish();
}

std::optional<rule_set> load_rules_text(std::string_view text, const std::string& file,
                                        const policy& pol, yaml::diagnostics& diags)
{
    rule_loader loader(pol, diags);
    loader.add_text(text, file);
    return loader.finish();
}

}  // namespace paymand::rules
