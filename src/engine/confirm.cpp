#include "paymand/engine/confirm.hpp"

#include "paymand/reply/payment.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace paymand::engine {

namespace {

std::string describe(const sought_payment& s)
{
    return fmt::format("{} to {} with the tag {}", money::format_with_code(s.amount), s.payee,
                       prompt::format_memo_tag(s.tag));
}

// Why the one transaction carrying the tag does not show the sought payment; empty when it
// does. `unreadable` is set when the entry lacks what a comparison needs (proves nothing).
std::string difference(const reply::transaction_entry& e, const sought_payment& s, bool& unreadable)
{
    unreadable = false;
    if (e.dir == reply::direction::received) return "it is listed as received, not sent";
    if (e.memo && !tag_ends_memo(*e.memo, s.tag))
        return "its memo carries the tag elsewhere than at its end, where paymand writes it";
    if (!e.amount || !e.counterparty) {
        unreadable = true;
        return e.amount ? "the listing does not name its payee"
                        : fmt::format("its amount '{}' could not be read", e.figure);
    }
    if (!(*e.amount == s.amount))
        return fmt::format("it shows {} instead of {}", money::format_with_code(*e.amount),
                           money::format_with_code(s.amount));
    if (!reply::same_payee(*e.counterparty, s.payee))
        return fmt::format("it names the payee '{}' instead of {}", *e.counterparty, s.payee);
    return {};
}

listing_match match_one(const std::vector<reply::transaction_entry>& listed,
                        const sought_payment& s)
{
    listing_match m;
    for (std::size_t i = 0; i < listed.size(); ++i)
        if (listed[i].tag && *listed[i].tag == s.tag) m.entries.push_back(i);
    if (m.entries.empty()) {
        m.explanation =
            fmt::format("no listed transaction carries the tag {}", prompt::format_memo_tag(s.tag));
        return m;
    }
    if (m.entries.size() > 1) {
        m.verdict = listing_verdict::contradicted;
        m.explanation = fmt::format("{} listed transactions carry the tag {}: the occurrence may "
                                    "have been paid more than once",
                                    m.entries.size(), prompt::format_memo_tag(s.tag));
        return m;
    }
    bool unreadable = false;
    auto why = difference(listed[m.entries.front()], s, unreadable);
    if (why.empty()) {
        m.verdict = listing_verdict::confirmed;
        m.explanation = "the listing shows " + describe(s);
    } else {
        m.verdict = unreadable ? listing_verdict::not_listed : listing_verdict::contradicted;
        m.explanation = fmt::format("the transaction listed with the tag {}: {}",
                                    prompt::format_memo_tag(s.tag), why);
    }
    return m;
}

audit::unconfirmed_record unconfirmed(const awaiting_payment& p, std::string reason)
{
    return {.ref = p.ref, .attempts = p.listings, .reason = std::move(reason)};
}

// One looked-up payment that no listing showed: again, or unconfirmed after the last.
void not_shown(awaiting_payment p, std::string why, std::uint32_t max_listings,
               confirmation_round& out)
{
    if (p.listings < max_listings) {
        out.again.push_back(std::move(p));
        return;
    }
    auto reason = fmt::format("the agent reported {} paid, but none of the {} transaction "
                              "listing(s) read showed it (last: {}); absence proves nothing",
                              describe(p.sought), p.listings, why);
    out.records.push_back(unconfirmed(p, std::move(reason)));
}

}  // namespace

std::vector<listing_match> confirm_listed(const std::vector<reply::transaction_entry>& listed,
                                          const std::vector<sought_payment>& sought)
{
    std::vector<listing_match> out;
    out.reserve(sought.size());
    for (const auto& s : sought) out.push_back(match_one(listed, s));
    return out;
}

listing_plan plan_listing(std::vector<awaiting_payment>& queue, std::size_t max_batch,
                          std::uint64_t completed_now, std::size_t in_flight, std::size_t admit,
                          int min_count)
{
    listing_plan plan;
    const auto reach = static_cast<std::uint64_t>(max_listing_count);
    std::uint64_t deepest = 0;
    std::size_t taken = 0;
    while (taken < queue.size() && plan.batch.size() < max_batch) {
        auto& p = queue[taken++];
        // Newest first: completed after it, in flight now (they may land before the listing
        // is read), and itself.
        const std::uint64_t depth =
            (completed_now > p.completed_seq ? completed_now - p.completed_seq : 0) + in_flight + 1;
        if (depth > reach) {
            plan.out_of_reach.push_back(std::move(p));
            continue;
        }
        deepest = std::max(deepest, depth);
        plan.batch.push_back(std::move(p));
    }
    queue.erase(queue.begin(), queue.begin() + static_cast<std::ptrdiff_t>(taken));
    const auto wanted = std::min<std::uint64_t>(reach, deepest + admit + listing_slack);
    plan.count = std::clamp(static_cast<int>(wanted), std::min(min_count, max_listing_count),
                            max_listing_count);
    return plan;
}

confirmation_round settle_listing(std::vector<awaiting_payment> batch,
                                  const std::vector<reply::transaction_entry>& listed,
                                  std::string_view reply, std::uint32_t max_listings)
{
    std::vector<sought_payment> sought;
    sought.reserve(batch.size());
    for (const auto& p : batch) sought.push_back(p.sought);
    const auto matches = confirm_listed(listed, sought);
    confirmation_round out;
    for (std::size_t i = 0; i < batch.size(); ++i) {
        auto& p = batch[i];
        ++p.listings;
        const auto& m = matches[i];
        std::string evidence;
        for (auto e : m.entries) {
            if (!evidence.empty()) evidence += '\n';
            evidence += listed_line(reply, listed[e].line);
        }
        switch (m.verdict) {
        case listing_verdict::confirmed:
            out.records.push_back(audit::confirmed_record{
                .ref = p.ref, .attempts = p.listings, .evidence = audit::make_excerpt(evidence)});
            break;
        case listing_verdict::contradicted: {
            const auto& first = listed[m.entries.front()];
            out.records.push_back(audit::mismatch_record{
                .ref = p.ref,
                .claimed_amount = first.amount
                                      ? std::optional(money::format_with_code(*first.amount))
                                      : std::nullopt,
                .claimed_payee = first.counterparty,
                .reason =
                    "the transaction listing contradicts the completed payment: " + m.explanation,
                .excerpt = audit::make_excerpt(evidence)});
            break;
        }
        case listing_verdict::not_listed:
            not_shown(std::move(p), m.explanation, max_listings, out);
            break;
        }
    }
    return out;
}

confirmation_round settle_without_listing(std::vector<awaiting_payment> batch, std::string_view why,
                                          std::uint32_t max_listings)
{
    confirmation_round out;
    for (auto& p : batch) {
        ++p.listings;
        not_shown(std::move(p), "the listing could not be read: " + std::string(why), max_listings,
                  out);
    }
    return out;
}

std::vector<audit::record_body> unreachable(const std::vector<awaiting_payment>& payments)
{
    std::vector<audit::record_body> out;
    for (const auto& p : payments)
        out.push_back(unconfirmed(
            p, fmt::format("the agent reported {} paid, but so many payments followed it that "
                           "no transaction listing (at most {}) reaches back to it",
                           describe(p.sought), max_listing_count)));
    return out;
}

}  // namespace paymand::engine
