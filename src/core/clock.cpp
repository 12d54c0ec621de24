#include "paymand/core/clock.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace paymand::core {
namespace {

// Maps real time to the process's wall clock: the identity, except in the crash-test build
// under PAYMAND_TEST_CLOCK (faster) and PAYMAND_TEST_CLOCK_SKEW_MS (shifted).
struct time_warp {
    wall_time anchor{};
    std::int64_t speed = 1;
    std::chrono::milliseconds skew{0};

    bool identity() const { return speed == 1 && skew.count() == 0; }
    wall_time to_wall(wall_time real) const { return anchor + (real - anchor) * speed + skew; }
    wall_time to_real(wall_time wall) const { return anchor + (wall - skew - anchor) / speed; }
};

const time_warp& warp()
{
    static const time_warp w = [] {
        time_warp out;
#ifdef PAYMAND_CRASH_POINTS
        if (const char* spec = std::getenv("PAYMAND_TEST_CLOCK")) {
            long long anchor = 0, speed = 1;
            if (std::sscanf(spec, "%lld:%lld", &anchor, &speed) == 2 && speed >= 1) {
                out.anchor = wall_time(std::chrono::seconds(anchor));
                out.speed = speed;
            }
        }
        if (const char* spec = std::getenv("PAYMAND_TEST_CLOCK_SKEW_MS")) {
            long long skew = 0;
            if (std::sscanf(spec, "%lld", &skew) == 1) out.skew = std::chrono::milliseconds(skew);
        }
#endif
        return out;
    }();
    return w;
}

class real_clock final : public clock {
public:
    wall_time wall_now() const override
    {
        const auto real = std::chrono::system_clock::now();
        return warp().identity() ? real : warp().to_wall(real);
    }
    steady_time steady_now() const override { return std::chrono::steady_clock::now(); }
};

class unaccelerated_real_clock final : public clock {
public:
    wall_time wall_now() const override { return std::chrono::system_clock::now() + warp().skew; }
    steady_time steady_now() const override { return std::chrono::steady_clock::now(); }
};

}  // namespace

std::shared_ptr<const clock> system_clock()
{
    static const auto instance = std::make_shared<const real_clock>();
    return instance;
}

std::chrono::sys_seconds now_seconds(const clock& c)
{
    return std::chrono::floor<std::chrono::seconds>(c.wall_now());
}

std::chrono::sys_seconds now_seconds()
{
    return now_seconds(*system_clock());
}

std::shared_ptr<const clock> unaccelerated_clock()
{
    static const auto instance = std::make_shared<const unaccelerated_real_clock>();
    return instance;
}

wall_time system_wall_to_real(wall_time wall)
{
    return warp().identity() ? wall : warp().to_real(wall);
}

}  // namespace paymand::core
