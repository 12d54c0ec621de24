#include "paymand/core/sha256.hpp"

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <thread>
#include <vector>

using paymand::core::append_hex;
using paymand::core::sha256_hex;

TEST(sha256, matches_the_known_vectors)
{
    EXPECT_EQ(sha256_hex("abc"),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(sha256, each_thread_gets_the_same_digest_from_its_own_context)
{
    std::vector<std::string> got(4);
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < got.size(); ++i)
        threads.emplace_back([&got, i] {
            for (int n = 0; n < 100; ++n) got[i] = sha256_hex("abc");
        });
    for (auto& t : threads) t.join();
    for (const auto& g : got)
        EXPECT_EQ(g, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(hex, two_lower_case_digits_per_byte)
{
    const std::array<unsigned char, 4> bytes{0x00, 0x0f, 0xa0, 0xff};
    std::string out = "x";
    append_hex(out, bytes);
    EXPECT_EQ(out, "x000fa0ff");
}
