#include "paymand/limits/spending_ledger.hpp"

namespace paymand::limits {

spending_ledger::spending_ledger(const date::time_zone* zone) : zone_(zone) {}

std::pair<std::int64_t, std::int64_t>
spending_ledger::local_day_and_month(std::chrono::sys_seconds instant) const
{
    date::local_days day{};
    if (zone_ != nullptr)
        day = date::floor<date::days>(zone_->to_local(instant));
    else
        day = date::local_days{date::floor<date::days>(instant).time_since_epoch()};
    date::year_month_day ymd{day};
    std::int64_t month =
        static_cast<std::int64_t>(int(ymd.year())) * 12 + (unsigned(ymd.month()) - 1);
    return {day.time_since_epoch().count(), month};
}

void spending_ledger::add(const payment_record& payment)
{
    auto [day, month] = local_day_and_month(payment.instant);
    currency_day_[{payment.currency, day}] += payment.amount;
    currency_month_[{payment.currency, month}] += payment.amount;
    payee_day_[{payment.payee, payment.currency, day}] += payment.amount;
    payee_month_[{payment.payee, payment.currency, month}] += payment.amount;
    ++count_day_[day];
}

namespace {

template <class Map, class Key>
void take(Map& map, const Key& key, std::int64_t amount)
{
    auto it = map.find(key);
    if (it == map.end()) return;
    it->second -= amount;
    if (it->second <= 0) map.erase(it);
}

}  // namespace

void spending_ledger::remove(const payment_record& payment)
{
    auto [day, month] = local_day_and_month(payment.instant);
    take(currency_day_, std::tuple{payment.currency, day}, payment.amount);
    take(currency_month_, std::tuple{payment.currency, month}, payment.amount);
    take(payee_day_, std::tuple{payment.payee, payment.currency, day}, payment.amount);
    take(payee_month_, std::tuple{payment.payee, payment.currency, month}, payment.amount);
    take(count_day_, day, 1);
}

namespace {

template <class Map, class Key>
std::int64_t lookup(const Map& map, const Key& key)
{
    auto it = map.find(key);
    return it == map.end() ? 0 : it->second;
}

}  // namespace

period_totals spending_ledger::currency_totals(const std::string& currency,
                                               std::chrono::sys_seconds instant) const
{
    auto [day, month] = local_day_and_month(instant);
    return {lookup(currency_day_, std::tuple{currency, day}),
            lookup(currency_month_, std::tuple{currency, month})};
}

period_totals spending_ledger::payee_totals(const std::string& payee, const std::string& currency,
                                            std::chrono::sys_seconds instant) const
{
    auto [day, month] = local_day_and_month(instant);
    return {lookup(payee_day_, std::tuple{payee, currency, day}),
            lookup(payee_month_, std::tuple{payee, currency, month})};
}

std::int64_t spending_ledger::payments_on_day(std::chrono::sys_seconds instant) const
{
    return lookup(count_day_, local_day_and_month(instant).first);
}

}  // namespace paymand::limits
