// sanitize_diagnostics appends runs of bytes at once and reads a text with nothing to collapse
// where it is. These tests hold it to the byte-at-a-time algorithm it replaced (the reference
// below) on random mixes of controls, spaces, UTF-8, secrets whole, cut, spaced out and in
// other case, and texts long enough to be cut.

#include "paymand/payman/client_error.hpp"
#include "support/random_text.hpp"

#include <gtest/gtest.h>

// A namespace of its own: the unit tests are compiled as one unity source.
namespace paymand::payman::sanitize_reference {
namespace {

char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

std::size_t match_end(std::string_view clean, std::size_t at, std::string_view needle)
{
    std::size_t k = at;
    for (std::size_t j = 0; j < needle.size(); ++j) {
        while (j > 0 && k < clean.size() && clean[k] == ' ') ++k;
        if (k == clean.size())
            return j >= std::min<std::size_t>(8, needle.size()) ? k : std::string_view::npos;
        if (lower(clean[k]) != lower(needle[j])) return std::string_view::npos;
        ++k;
    }
    return k;
}

std::string reference(std::string_view untrusted, const redaction& secrets)
{
    std::string clean;
    bool space = false;
    for (unsigned char c : untrusted) {
        if (c < 0x20 || c == 0x7f || c == ' ') {
            space = !clean.empty();
            continue;
        }
        if (space) clean.push_back(' ');
        space = false;
        clean.push_back(static_cast<char>(c));
    }
    std::string out;
    for (std::size_t i = 0; i < clean.size() && out.size() < max_diagnostics_size;) {
        std::size_t end = std::string_view::npos;
        for (const auto& needle : secrets.needles()) {
            end = match_end(clean, i, needle.expose());
            if (end != std::string_view::npos) break;
        }
        if (end != std::string_view::npos) {
            out += "[redacted]";
            i = end;
        } else {
            out.push_back(clean[i++]);
        }
    }
    if (out.size() >= max_diagnostics_size) {
        out.resize(max_diagnostics_size - 3);
        std::size_t cut = out.size();
        while (cut > 0 && (static_cast<unsigned char>(out[cut - 1]) & 0xC0) == 0x80) --cut;
        if (cut > 0 && (static_cast<unsigned char>(out[cut - 1]) & 0x80)) --cut;
        out.resize(cut);
        out += "...";
    }
    return out;
}

TEST(sanitize_reference, cleans_and_redacts_as_the_byte_at_a_time_algorithm)
{
    redaction none;
    redaction several;
    several.add("Secret-Value-1234");
    several.add("tok");
    several.add_basic("client", "Secret-Value-1234");
    const std::vector<std::string> pieces{"a",
                                          "completed",
                                          " ",
                                          "  ",
                                          "\t",
                                          "\r\n",
                                          "\x01",
                                          "\x7f",
                                          "\x1b[31m",
                                          "caf\xc3\xa9",
                                          "\xe2\x82\xac",
                                          "\xff",
                                          "Secret-Value-1234",
                                          "secret-value-1234",
                                          "Secret-Val",
                                          "ue-1234",
                                          "S e c r e t",
                                          "tok",
                                          "TOK",
                                          "U2VjcmV0LVZhbHVlLTEyMzQ",
                                          "2026-12-01T08:00:01Z",
                                          std::string(100, 'x'),
                                          std::string(600, 'y'),
                                          std::string(170, '\xc3') + "\xa9"};
    std::mt19937 random(1206);
    for (int i = 0; i < 5000; ++i) {
        const std::string text = test::random_mix(random, pieces, 12);
        for (const redaction* secrets : {&none, &several})
            ASSERT_EQ(sanitize_diagnostics(text, *secrets), reference(text, *secrets))
                << "text " << i << ": " << text;
    }
}

}  // namespace
}  // namespace paymand::payman::sanitize_reference
