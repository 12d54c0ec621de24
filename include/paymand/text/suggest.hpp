#pragma once

// "Did you mean": the known names closest to a mistyped one (rule ids, subcommands, keys).

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace paymand::text {

// Edits between `a` and `b`: insertions, deletions, substitutions and swaps of two adjacent
// bytes (optimal string alignment distance), comparing ASCII letters case-insensitively.
std::size_t edit_distance(std::string_view a, std::string_view b);

// Up to `most` of `candidates` near `word`, nearest first (ties by name): those within a third
// of the word's length in edits (at least 2; 1 for words of up to 3 bytes), or that start
// with it; only those that differ in ASCII case alone when there are such. Empty when none is
// near.
std::vector<std::string> nearest(std::string_view word, const std::vector<std::string>& candidates,
                                 std::size_t most = 3);

// "did you mean 'a', 'b' or 'c'?" for `nearest`'s answer (with `quote` around each); empty for
// none.
std::string did_you_mean(const std::vector<std::string>& suggestions, std::string_view quote = "'");

}  // namespace paymand::text
