#include "paymand/schedule/schedule_errc.hpp"

namespace paymand::schedule {
namespace {

class schedule_category_impl final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "paymand.schedule"; }

    std::string message(int ev) const override
    {
        switch (static_cast<schedule_errc>(ev)) {
        case schedule_errc::empty:
            return "empty schedule";
        case schedule_errc::syntax:
            return "schedule syntax error";
        case schedule_errc::field_count:
            return "cron schedule needs 5 fields";
        case schedule_errc::seconds_or_year_field:
            return "seconds and year fields are not supported";
        case schedule_errc::unsupported_macro:
            return "unsupported schedule macro";
        case schedule_errc::time_zone_prefix:
            return "time zone prefix in schedule";
        case schedule_errc::out_of_range:
            return "schedule value out of range";
        case schedule_errc::empty_element:
            return "empty element in schedule list";
        case schedule_errc::zero_step:
            return "schedule step of 0";
        case schedule_errc::reversed_range:
            return "reversed range in schedule";
        case schedule_errc::bad_interval:
            return "interval does not divide an hour or a day";
        case schedule_errc::day_match_required:
            return "day_match required";
        case schedule_errc::day_match_not_applicable:
            return "day_match does not apply";
        case schedule_errc::short_month_required:
            return "short_month required";
        case schedule_errc::short_month_not_applicable:
            return "short_month does not apply";
        case schedule_errc::never_fires:
            return "schedule never fires";
        case schedule_errc::unknown_time_zone:
            return "unknown time zone";
        case schedule_errc::host_time_zone:
            return "the host's time zone is never used";
        case schedule_errc::bad_identity:
            return "malformed occurrence identity";
        case schedule_errc::bad_zone_data:
            return "time zone data cannot be used";
        case schedule_errc::anchor_required:
            return "interval schedule needs an anchor date";
        case schedule_errc::bad_anchor:
            return "bad anchor date";
        }
        return "unknown schedule error";
    }
};

}  // namespace

const boost::system::error_category& schedule_category() noexcept
{
    static const schedule_category_impl instance;
    return instance;
}

boost::system::error_code make_error_code(schedule_errc e) noexcept
{
    return {static_cast<int>(e), schedule_category()};
}

}  // namespace paymand::schedule
