# Writes unicode_tables.cpp from the Python interpreter's Unicode data:
#   python3 src/text/unicode_tables.py > src/text/unicode_tables.cpp && scripts/format
import unicodedata, sys
def cls(cp):
    c = chr(cp)
    cat = unicodedata.category(c)
    dec = unicodedata.decomposition(c)
    if cat.startswith('L'):
        return 'compat_letter' if dec.startswith('<') else 'letter'
    if cat in ('Mn', 'Mc'): return 'mark'
    if cat == 'Me': return None
    if cat == 'Cf': return 'format'
    if cat == 'Sc': return 'currency_symbol'
    if cat in ('Zs', 'Zl', 'Zp'): return 'space'
    if cat == 'Nd' and not (0x30 <= cp <= 0x39): return 'other_digit'
    if cat in ('Nl', 'No'): return 'other_digit'
    return None
ranges = []
for cp in range(0x80, 0x110000):
    if 0xD800 <= cp <= 0xDFFF: continue
    k = cls(cp)
    if k is None: continue
    if ranges and ranges[-1][2] == k and ranges[-1][1] == cp - 1:
        ranges[-1][1] = cp
    else:
        ranges.append([cp, cp, k])
out = []
out.append("// Generated from Unicode %s character data (Python unicodedata): general categories\n// reduced to what the safe-text grammar distinguishes. Code points below U+0080 are handled\n// in code. Regenerate rather than edit." % unicodedata.unidata_version)
out.append("#include \"text/unicode_tables.hpp\"\n\n#include <array>\n\nnamespace paymand::text::detail {\nnamespace {\n")
out.append("constexpr std::array<char_range, %d> ranges{{" % len(ranges))
for lo, hi, k in ranges:
    out.append("    {0x%X, 0x%X, char_kind::%s}," % (lo, hi, k))
out.append("}};\n")
# latin fold
fold = []
for cp in list(range(0xC0, 0x250)) + list(range(0x1E00, 0x1F00)):
    c = chr(cp)
    d = unicodedata.normalize('NFD', c)
    base = d[0].lower()
    if base.isascii() and base.isalpha() and d != c:
        fold.append((cp, base))
extra = {0xDF: 's', 0xF8: 'o', 0xD8: 'o', 0x111: 'd', 0x110: 'd', 0x141: 'l', 0x142: 'l', 0x131: 'i', 0xE6: 'a', 0xC6: 'a', 0x153: 'o', 0x152: 'o'}
fm = dict(fold); fm.update(extra)
fold = sorted(fm.items())
out.append("constexpr std::array<latin_fold, %d> folds{{" % len(fold))
for cp, b in fold:
    out.append("    {0x%X, '%s'}," % (cp, b))
out.append("}};\n\n}  // namespace\n")
out.append("std::span<const char_range> char_ranges() noexcept { return ranges; }\nstd::span<const latin_fold> latin_folds() noexcept { return folds; }\n\n}  // namespace paymand::text::detail")
print("\n".join(out))
print(len(ranges), len(fold), file=sys.stderr)
