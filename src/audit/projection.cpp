#include "paymand/audit/projection.hpp"

#include "paymand/text/word_table.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

namespace paymand::audit {
namespace {

constexpr std::size_t max_kept_warnings = 100;

}  // namespace

namespace {

constexpr auto state_words = text::make_word_table<occurrence_state>({
    {occurrence_state::in_flight, "in_flight"},
    {occurrence_state::completed, "completed"},
    {occurrence_state::failed, "failed"},
    {occurrence_state::in_doubt, "in_doubt"},
    {occurrence_state::mismatch, "mismatch"},
    {occurrence_state::resolved_paid, "resolved_paid"},
    {occurrence_state::resolved_not_paid, "resolved_not_paid"},
    {occurrence_state::reconciled_paid, "reconciled_paid"},
    {occurrence_state::skipped, "skipped"},
    {occurrence_state::denied, "denied"},
    {occurrence_state::missed, "missed"},
    {occurrence_state::reported, "reported"},
    {occurrence_state::confirmed, "confirmed"},
    {occurrence_state::unconfirmed, "unconfirmed"},
    {occurrence_state::dry_run, "dry_run"},
    {occurrence_state::reopened, "reopened"},
});

}  // namespace

std::string_view to_string(occurrence_state s) noexcept
{
    return state_words.word(s, "unknown");
}

bool counts_as_spending(occurrence_state s) noexcept
{
    switch (s) {
    case occurrence_state::in_flight:
    case occurrence_state::completed:
    case occurrence_state::in_doubt:
    case occurrence_state::mismatch:
    case occurrence_state::resolved_paid:
    case occurrence_state::reconciled_paid:
    case occurrence_state::confirmed:
    case occurrence_state::unconfirmed:
    case occurrence_state::dry_run:  // in a dry run's own log: simulated limits bite
        return true;
    default:
        return false;
    }
}

bool needs_operator(occurrence_state s) noexcept
{
    return s == occurrence_state::in_doubt || s == occurrence_state::mismatch;
}

bool resolvable(occurrence_state s) noexcept
{
    return needs_operator(s) || s == occurrence_state::unconfirmed;
}

record_summary summarize(const record& r)
{
    record_summary s;
    s.seq = r.seq;
    s.ts = r.ts;
    s.type = type_of(r.body);
    if (const occurrence_ref* ref = occurrence_of(r.body)) {
        s.rule = ref->rule;
        s.occurrence = ref->occurrence;
        s.utc = ref->utc;
    }
    std::visit(
        [&](const auto& b) {
            using T = std::decay_t<decltype(b)>;
            if constexpr (std::is_same_v<T, intent_record>) {
                s.payee = b.payee;
                s.amount = b.amount;
            } else if constexpr (std::is_same_v<T, result_record>) {
                s.outcome = b.outcome;
                if (b.reason) s.reason = *b.reason;
            } else if constexpr (std::is_same_v<T, rules_loaded_record>) {
                s.rules = &b.rules;
                s.part = b.part;
                s.parts = b.parts;
            } else if constexpr (std::is_same_v<T, resolved_record>) {
                s.resolution = b.resolution;
            } else if constexpr (std::is_same_v<T, reconciled_record>) {
                s.reconciled = b.result;
            } else if constexpr (std::is_same_v<T, missed_record>) {
                if (b.through) s.through = *b.through;
            } else if constexpr (std::is_same_v<T, in_doubt_record> ||
                                 std::is_same_v<T, mismatch_record> ||
                                 std::is_same_v<T, unconfirmed_record>) {
                s.reason = b.reason;
            }
        },
        r.body);
    return s;
}

occurrence_status& audit_projection::entry(const record_summary& s, bool& created)
{
    // Records of one occurrence usually follow each other (intent, result): skip the lookup.
    if (recent_ && recent_->ref.occurrence == s.occurrence) {
        created = false;
        recent_->last_seq = s.seq;
        return *recent_;
    }
    const std::size_t hash = string_hash{}(s.occurrence);
    auto* found = const_cast<occurrence_status*>(lookup(s.occurrence, hash));
    created = found == nullptr;
    if (created) {
        if ((statuses_.size() + 1) * 2 > slots_.size()) grow();
        statuses_.emplace_back();
        found = &statuses_.back();
        found->ref = {std::string(s.rule), std::string(s.occurrence), s.utc};
        const std::size_t mask = slots_.size() - 1;
        std::size_t pos = hash & mask;
        while (slots_[pos] != 0) pos = (pos + 1) & mask;
        slots_[pos] = (static_cast<std::uint64_t>(hash >> 32) << 32) | statuses_.size();
    }
    found->last_seq = s.seq;
    recent_ = found;
    return *found;
}

audit_projection::audit_projection(audit_projection&& other) noexcept
    : statuses_(std::move(other.statuses_)), slots_(std::move(other.slots_)),
      last_per_rule_(std::move(other.last_per_rule_)),
      missed_through_(std::move(other.missed_through_)),
      paid_by_rule_(std::move(other.paid_by_rule_)),
      rule_versions_(std::move(other.rule_versions_)),
      pending_rules_(std::move(other.pending_rules_)), spending_(std::move(other.spending_)),
      in_flight_(std::move(other.in_flight_)), recent_(std::exchange(other.recent_, nullptr)),
      counts_(other.counts_), last_seq_(other.last_seq_),
      unconfirmed_count_(other.unconfirmed_count_), warnings_(std::move(other.warnings_)),
      warning_count_(other.warning_count_)
{
}

audit_projection& audit_projection::operator=(audit_projection&& other) noexcept
{
    if (this != &other) {
        statuses_ = std::move(other.statuses_);
        slots_ = std::move(other.slots_);
        last_per_rule_ = std::move(other.last_per_rule_);
        missed_through_ = std::move(other.missed_through_);
        paid_by_rule_ = std::move(other.paid_by_rule_);
        rule_versions_ = std::move(other.rule_versions_);
        pending_rules_ = std::move(other.pending_rules_);
        spending_ = std::move(other.spending_);
        in_flight_ = std::move(other.in_flight_);
        recent_ = std::exchange(other.recent_, nullptr);
        counts_ = other.counts_;
        last_seq_ = other.last_seq_;
        unconfirmed_count_ = other.unconfirmed_count_;
        warnings_ = std::move(other.warnings_);
        warning_count_ = other.warning_count_;
    }
    return *this;
}

void audit_projection::set_state(occurrence_status& o, occurrence_state next)
{
    if (o.state == occurrence_state::in_flight && next != occurrence_state::in_flight) {
        in_flight_.erase(&o);
    }
    const bool was = counts_as_spending(o.state) && o.payment;
    if (o.state == occurrence_state::unconfirmed) --unconfirmed_count_;
    if (next == occurrence_state::unconfirmed) ++unconfirmed_count_;
    o.state = next;
    const bool is = counts_as_spending(o.state) && o.payment;
    if (was && !is) {
        auto [first, last] = spending_.equal_range(o.ref.utc);
        for (auto it = first; it != last; ++it) {
            if (it->second == &o) {
                spending_.erase(it);
                break;
            }
        }
        index_paid(o, false);
    } else if (!was && is) {
        spending_.emplace(o.ref.utc, &o);
        index_paid(o, true);
    }
}

void audit_projection::index_paid(const occurrence_status& o, bool paid)
{
    // A manual run (`paymand trigger`) is outside the schedule's periods.
    if (o.ref.occurrence.find('~') != std::string::npos) return;
    auto& list = paid_by_rule_[o.ref.rule];
    if (paid) {
        list.push_back(&o);
        return;
    }
    auto it = std::find(list.rbegin(), list.rend(), &o);
    if (it != list.rend()) list.erase(std::next(it).base());
}

const occurrence_status* audit_projection::last_paid(std::string_view rule) const
{
    auto it = paid_by_rule_.find(rule);
    if (it == paid_by_rule_.end() || it->second.empty()) return nullptr;
    // Nearly in time order (catch-up runs oldest first): the latest is among the last few.
    const auto& list = it->second;
    const std::size_t from = list.size() > 32 ? list.size() - 32 : 0;
    const occurrence_status* latest = nullptr;
    for (std::size_t i = from; i < list.size(); ++i)
        if (latest == nullptr || latest->ref.utc < list[i]->ref.utc) latest = list[i];
    return latest;
}

void audit_projection::warn(std::uint64_t seq, std::string message)
{
    ++warning_count_;
    if (warnings_.size() < max_kept_warnings) warnings_.push_back({seq, std::move(message)});
}

// The warning for a record the transitions did not expect (see next_state).
std::string audit_projection::unexpected(const record_summary& s,
                                         std::optional<occurrence_state> before, bool paid)
{
    const std::string_view was = before ? to_string(*before) : std::string_view("unknown");
    switch (s.type) {
    case record_type::intent:
        if (paid) return fmt::format("second intent for occurrence {}", s.occurrence);
        return fmt::format("intent for occurrence {} after it was {}", s.occurrence, was);
    case record_type::result:
        return fmt::format("result without intent for {}", s.occurrence);
    case record_type::resolved:
        return fmt::format("resolution for {} which was {}", s.occurrence, was);
    case record_type::reconciled:
        return fmt::format("reconciliation of unknown occurrence {}", s.occurrence);
    case record_type::confirmed:
    case record_type::unconfirmed:
    case record_type::reopened:
        return fmt::format("{} record for {} which was {}; kept", to_string(s.type), s.occurrence,
                           was);
    default:
        return fmt::format("{} after an intent for {}; kept as {}", to_string(s.type), s.occurrence,
                           was);
    }
}

// A first intent: the payment counts against limits from now on, in flight until its result.
void audit_projection::record_intent(occurrence_status& o, const record_summary& s)
{
    // Without a payment the entry was not in the spending index.
    o.payment = intended_payment{std::string(s.payee), *s.amount};
    o.state = occurrence_state::in_flight;
    spending_.emplace(o.ref.utc, &o);
    index_paid(o, true);
    in_flight_.insert(&o);
}

void audit_projection::apply_rules_loaded(const record_summary& s)
{
    // A split set is collected part by part and applied whole with its last part.
    const std::vector<rule_hash>* all = s.rules;
    if (s.parts > 1) {
        if (s.part == 1) pending_rules_.clear();
        pending_rules_.insert(pending_rules_.end(), s.rules->begin(), s.rules->end());
        if (s.part < s.parts) return;
        all = &pending_rules_;
    }
    // A definition stays active while every load lists it with the same hash.
    decltype(rule_versions_) next;
    for (const auto& rule : *all) {
        auto it = rule_versions_.find(rule.id);
        const bool same = it != rule_versions_.end() && it->second.hash == rule.sha256;
        next.insert_or_assign(
            rule.id,
            same ? it->second
                 : rule_version{rule.sha256, std::chrono::floor<std::chrono::seconds>(s.ts)});
    }
    rule_versions_ = std::move(next);
    // Release the parts' memory too: a daemon with 10,000 rules would keep 640 KB of ids
    // and hashes here until its next reload.
    std::vector<rule_hash>().swap(pending_rules_);
}

void audit_projection::apply(const record_summary& s)
{
    last_seq_ = s.seq;
    ++counts_[static_cast<std::size_t>(s.type)];
    if (s.type == record_type::rules_loaded && s.rules) return apply_rules_loaded(s);
    switch (s.type) {
    case record_type::config_loaded:
    case record_type::rules_loaded:
    case record_type::started:
    case record_type::stopped:
    case record_type::condition:
    case record_type::grant:
        return;
    default:
        break;
    }

    bool created = false;
    occurrence_status& o = entry(s, created);
    const auto before = created ? std::nullopt : std::optional(o.state);
    const auto change = next_state(before, o.payment.has_value(), s);
    if (!change.expected) warn(s.seq, unexpected(s, before, o.payment.has_value()));
    if (change.reason) o.reason = *change.reason;
    if (s.type == record_type::reconciled && s.reconciled == reconcile_outcome::not_found)
        o.not_found_recorded = true;
    if (change.next) {
        if (s.type == record_type::intent) {
            if (s.amount) record_intent(o, s);
        } else {
            if (s.type == record_type::missed && !s.through.empty()) {
                // Identities of one rule order chronologically as text.
                auto& through = missed_through_[std::string(s.rule)];
                if (through < s.through) through = std::string(s.through);
            }
            set_state(o, *change.next);
            // Reopened: its old intent was never sent; the run again records a new one.
            if (s.type == record_type::reopened) o.payment.reset();
        }
    }

    switch (s.type) {
    case record_type::resolved:
    case record_type::reconciled:
    case record_type::confirmed:
    case record_type::unconfirmed:
        return;  // about an older occurrence, not the rule's progress
    default:
        break;
    }
    // A manual run (`paymand trigger`, identity "...~manual") is outside the schedule: it
    // must not move the rule's progress, or the schedule would skip what is still due.
    if (s.occurrence.find('~') != std::string_view::npos) return;
    auto it = last_per_rule_.find(s.rule);
    if (it == last_per_rule_.end()) {
        last_per_rule_.emplace(std::string(s.rule), o.ref);
    } else if (it->second.utc < s.utc) {
        it->second = o.ref;
    }
}

std::vector<occurrence_ref> audit_projection::finish_replay()
{
    std::vector<occurrence_ref> out;
    const std::vector<occurrence_status*> interrupted(in_flight_.begin(), in_flight_.end());
    for (occurrence_status* o : interrupted) {
        o->reason = "an intent was recorded but no result: the daemon stopped mid-payment";
        set_state(*o, occurrence_state::in_doubt);
        out.push_back(o->ref);
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
        return std::tie(a.utc, a.occurrence) < std::tie(b.utc, b.occurrence);
    });
    return out;
}

const occurrence_status* audit_projection::find(std::string_view occurrence) const
{
    return lookup(occurrence, string_hash{}(occurrence));
}

std::optional<utc_seconds> audit_projection::rule_active_since(std::string_view id,
                                                               std::string_view content_hash) const
{
    auto it = rule_versions_.find(id);
    if (it == rule_versions_.end() || it->second.hash != content_hash) return std::nullopt;
    return it->second.since;
}

const occurrence_status* audit_projection::lookup(std::string_view occurrence,
                                                  std::size_t hash) const
{
    if (slots_.empty()) return nullptr;
    const std::size_t mask = slots_.size() - 1;
    const std::uint64_t tag = static_cast<std::uint64_t>(hash >> 32) << 32;
    for (std::size_t pos = hash & mask;; pos = (pos + 1) & mask) {
        const std::uint64_t slot = slots_[pos];
        if (slot == 0) return nullptr;
        if ((slot & 0xFFFF'FFFF'0000'0000ULL) != tag) continue;
        const occurrence_status& o = statuses_[(slot & 0xFFFF'FFFFULL) - 1];
        if (o.ref.occurrence == occurrence) return &o;
    }
}

void audit_projection::grow()
{
    std::vector<std::uint64_t> bigger(std::max<std::size_t>(1024, slots_.size() * 2), 0);
    const std::size_t mask = bigger.size() - 1;
    for (std::size_t i = 0; i < statuses_.size(); ++i) {
        const std::size_t hash = string_hash{}(statuses_[i].ref.occurrence);
        std::size_t pos = hash & mask;
        while (bigger[pos] != 0) pos = (pos + 1) & mask;
        bigger[pos] = (static_cast<std::uint64_t>(hash >> 32) << 32) | (i + 1);
    }
    slots_ = std::move(bigger);
}

std::optional<std::string_view> audit_projection::missed_through(std::string_view rule) const
{
    auto it = missed_through_.find(rule);
    if (it == missed_through_.end()) return std::nullopt;
    return std::string_view(it->second);
}

const occurrence_ref* audit_projection::last_handled(std::string_view rule) const
{
    auto it = last_per_rule_.find(rule);
    return it == last_per_rule_.end() ? nullptr : &it->second;
}

std::vector<const occurrence_status*> audit_projection::in_doubt() const
{
    std::vector<const occurrence_status*> out;
    for (const auto& o : statuses_) {
        if (needs_operator(o.state)) out.push_back(&o);
    }
    std::sort(out.begin(), out.end(), [](const auto* a, const auto* b) {
        return std::tie(a->ref.utc, a->ref.occurrence) < std::tie(b->ref.utc, b->ref.occurrence);
    });
    return out;
}

std::vector<const occurrence_status*>
audit_projection::awaiting_confirmation(utc_seconds since) const
{
    std::vector<const occurrence_status*> out;
    for (auto it = spending_.lower_bound(since); it != spending_.end(); ++it)
        if (it->second->state == occurrence_state::completed) out.push_back(it->second);
    return out;
}

std::vector<const occurrence_status*> audit_projection::unconfirmed() const
{
    std::vector<const occurrence_status*> out;
    for (const auto& [utc, o] : spending_)
        if (o->state == occurrence_state::unconfirmed) out.push_back(o);
    return out;
}

std::vector<spending_entry> audit_projection::spending(utc_seconds since) const
{
    std::vector<spending_entry> out;
    for (auto it = spending_.lower_bound(since); it != spending_.end(); ++it) {
        const occurrence_status& o = *it->second;
        const bool confirmed = o.state == occurrence_state::completed ||
                               o.state == occurrence_state::confirmed ||
                               o.state == occurrence_state::unconfirmed ||
                               o.state == occurrence_state::resolved_paid ||
                               o.state == occurrence_state::reconciled_paid;
        out.push_back(
            {o.ref.occurrence, o.payment->payee, o.payment->amount, o.ref.utc, !confirmed});
    }
    return out;
}

}  // namespace paymand::audit
