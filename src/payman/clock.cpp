#include "paymand/payman/clock.hpp"

namespace paymand::payman {
namespace {

class real_clock final : public clock {
public:
    std::chrono::steady_clock::time_point now() const override
    {
        return std::chrono::steady_clock::now();
    }
    std::chrono::system_clock::time_point wall_now() const override
    {
        return std::chrono::system_clock::now();
    }
};

}  // namespace

std::shared_ptr<const clock> system_clock_source()
{
    static const auto instance = std::make_shared<const real_clock>();
    return instance;
}

}  // namespace paymand::payman
