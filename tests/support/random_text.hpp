#pragma once

// Hostile text for the property tests that check a text function against a plain reference:
// random concatenations of pieces that each test picks for what it must survive.

#include <cstddef>
#include <random>
#include <string>
#include <vector>

namespace paymand::test {

// Fewer than `most` pieces drawn from `pieces` (possibly none), concatenated.
inline std::string random_mix(std::mt19937& random, const std::vector<std::string>& pieces,
                              std::size_t most)
{
    std::string out;
    const std::size_t count = random() % most;
    for (std::size_t i = 0; i < count; ++i) out += pieces[random() % pieces.size()];
    return out;
}

}  // namespace paymand::test
