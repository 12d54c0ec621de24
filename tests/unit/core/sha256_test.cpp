#include "paymand/core/sha256.hpp"

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <thread>
#include <vector>

using paymand::core::append_hex;
using paymand::core::hex_case;
using paymand::core::sha256_hex;
using paymand::core::write_hex;

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

TEST(hex, upper_case_digits_when_asked)
{
    const std::array<unsigned char, 3> bytes{0x0a, 0xbc, 0x7f};
    std::string out;
    append_hex(out, bytes, hex_case::upper);
    EXPECT_EQ(out, "0ABC7F");
}

TEST(hex, bytes_held_in_a_string_are_encoded_whole_zero_bytes_included)
{
    std::string out;
    append_hex(out, std::string_view("\x00\xff\x41", 3));
    EXPECT_EQ(out, "00ff41");
}

TEST(hex, write_hex_fills_exactly_two_characters_per_byte_and_returns_the_end)
{
    const std::array<unsigned char, 2> bytes{0x12, 0xef};
    std::array<char, 6> buffer{'-', '-', '-', '-', '-', '-'};
    char* end = write_hex(buffer.data() + 1, bytes);
    EXPECT_EQ(end, buffer.data() + 5);
    EXPECT_EQ(std::string(buffer.data(), buffer.size()), "-12ef-");
}
