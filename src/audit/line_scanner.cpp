#include "line_scanner.hpp"

#include "paymand/text/utf8.hpp"

#include <boost/json/parse.hpp>

#include <fmt/format.h>

#include <array>
#include <cctype>

namespace paymand::audit::detail {
namespace {

constexpr std::size_t max_depth = 16;

// Bytes a JSON string may hold as they are: printable ASCII except '"' and '\\'.
constexpr auto plain = [] {
    std::array<bool, 256> t{};
    for (int c = 0x20; c < 0x7F; ++c) t[static_cast<std::size_t>(c)] = c != '"' && c != '\\';
    return t;
}();

class scanner {
public:
    explicit scanner(std::string_view s) : s_(s) {}

    std::optional<scan_failure> failure;

    bool at_end() const noexcept { return i_ == s_.size(); }
    std::size_t pos() const noexcept { return i_; }

    bool fail(std::string what)
    {
        if (!failure) failure = scan_failure{i_ + 1, std::move(what)};
        return false;
    }

    bool literal(std::string_view lit)
    {
        if (s_.substr(i_, lit.size()) != lit) return fail(fmt::format("expected '{}'", lit));
        i_ += lit.size();
        return true;
    }

    // Our own keys: "[a-z0-9_]+" with no escapes.
    bool key(std::string_view& out)
    {
        if (i_ >= s_.size() || s_[i_] != '"') return fail("expected a key");
        const std::size_t start = ++i_;
        while (i_ < s_.size() && ((s_[i_] >= 'a' && s_[i_] <= 'z') ||
                                  (s_[i_] >= '0' && s_[i_] <= '9') || s_[i_] == '_')) {
            ++i_;
        }
        if (i_ == start || i_ >= s_.size() || s_[i_] != '"') return fail("malformed key");
        out = s_.substr(start, i_ - start);
        ++i_;
        return true;
    }

    bool digits(std::uint64_t& value)
    {
        const std::size_t start = i_;
        value = 0;
        while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') {
            const auto d = static_cast<std::uint64_t>(s_[i_] - '0');
            if (value > (UINT64_MAX - d) / 10) return fail("number too large");
            value = value * 10 + d;
            ++i_;
        }
        if (i_ == start) return fail("expected digits");
        if (s_[start] == '0' && i_ - start > 1) return fail("leading zero");
        return true;
    }

    bool string()
    {
        if (i_ >= s_.size() || s_[i_] != '"') return fail("expected a string");
        ++i_;
        while (i_ < s_.size()) {
            // Runs of printable ASCII other than '"' and '\\' are most of every line.
            while (i_ < s_.size() && plain[static_cast<unsigned char>(s_[i_])]) ++i_;
            if (i_ >= s_.size()) break;
            const auto c = static_cast<unsigned char>(s_[i_]);
            if (c == '"') {
                ++i_;
                return true;
            }
            if (c == '\\') {
                if (++i_ >= s_.size()) break;
                const char e = s_[i_];
                if (e == 'u') {
                    for (int k = 1; k <= 4; ++k) {
                        if (i_ + k >= s_.size() || !std::isxdigit(static_cast<unsigned char>(
                                                       s_[i_ + static_cast<std::size_t>(k)]))) {
                            return fail("bad \\u escape");
                        }
                    }
                    i_ += 5;
                } else if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' ||
                           e == 'r' || e == 't') {
                    ++i_;
                } else {
                    return fail("bad escape");
                }
            } else if (c < 0x20) {
                return fail("control character in a string");
            } else if (c < 0x80) {
                ++i_;
            } else {
                const std::size_t n = text::utf8_sequence_length(s_, i_);
                if (n == 0) return fail("invalid UTF-8");
                i_ += n;
            }
        }
        return fail("unterminated string");
    }

    bool number()
    {
        if (i_ < s_.size() && s_[i_] == '-') ++i_;
        auto digit = [&] { return i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9'; };
        if (!digit()) return fail("malformed number");
        if (s_[i_] == '0') {
            ++i_;
        } else {
            while (digit()) ++i_;
        }
        if (i_ < s_.size() && s_[i_] == '.') {
            ++i_;
            if (!digit()) return fail("malformed number");
            while (digit()) ++i_;
        }
        if (i_ < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E')) {
            ++i_;
            if (i_ < s_.size() && (s_[i_] == '+' || s_[i_] == '-')) ++i_;
            if (!digit()) return fail("malformed number");
            while (digit()) ++i_;
        }
        return true;
    }

    bool value(std::size_t depth)
    {
        if (i_ >= s_.size()) return fail("expected a value");
        switch (s_[i_]) {
        case '"':
            return string();
        case 't':
            return literal("true");
        case 'f':
            return literal("false");
        case 'n':
            return literal("null");
        case '[': {
            if (depth >= max_depth) return fail("nested too deeply");
            ++i_;
            if (i_ < s_.size() && s_[i_] == ']') {
                ++i_;
                return true;
            }
            for (;;) {
                if (!value(depth + 1)) return false;
                if (i_ < s_.size() && s_[i_] == ',') {
                    ++i_;
                    continue;
                }
                return literal("]");
            }
        }
        case '{': {
            if (depth >= max_depth) return fail("nested too deeply");
            ++i_;
            if (i_ < s_.size() && s_[i_] == '}') {
                ++i_;
                return true;
            }
            for (;;) {
                if (!string() || !literal(":") || !value(depth + 1)) return false;
                if (i_ < s_.size() && s_[i_] == ',') {
                    ++i_;
                    continue;
                }
                return literal("}");
            }
        }
        default:
            return number();
        }
    }

private:
    std::string_view s_;
    std::size_t i_ = 0;
};

bool reserved_key(std::string_view k) noexcept
{
    return k == "seq" || k == "ts" || k == "type" || k == "dry_run" || k == "hash" || k == "node" ||
           k == "epoch";
}

}  // namespace

std::optional<scan_failure> scan_prefix(std::string_view prefix, scanned_line& out)
{
    scanner sc(prefix);
    out.field_count = 0;
    out.dry_run = false;
    out.stamped = false;
    out.node = {};
    out.epoch = 0;
    if (!sc.literal("{\"seq\":") || !sc.digits(out.seq) || !sc.literal(",\"ts\":")) {
        return sc.failure;
    }
    const std::size_t ts_start = sc.pos();
    if (!sc.string()) return sc.failure;
    out.ts = prefix.substr(ts_start + 1, sc.pos() - ts_start - 2);
    if (!sc.literal(",\"type\":")) return sc.failure;
    const std::size_t type_start = sc.pos();
    if (!sc.string()) return sc.failure;
    out.type_name = prefix.substr(type_start + 1, sc.pos() - type_start - 2);
    if (prefix.substr(sc.pos(), 15) == ",\"dry_run\":true") {
        out.dry_run = true;
        if (!sc.literal(",\"dry_run\":true")) return sc.failure;
    }
    if (prefix.substr(sc.pos(), 8) == ",\"node\":") {
        // HA mode: the writing node and its lease epoch, always together, in this order.
        if (!sc.literal(",\"node\":")) return sc.failure;
        const std::size_t node_start = sc.pos();
        if (!sc.string()) return sc.failure;
        out.node = prefix.substr(node_start, sc.pos() - node_start);
        if (out.node.size() == 2) return scan_failure{node_start + 1, "'node' is empty"};
        if (!sc.literal(",\"epoch\":") || !sc.digits(out.epoch)) return sc.failure;
        out.stamped = true;
    }
    while (!sc.at_end()) {
        const std::size_t field_start = sc.pos();
        scanned_field f;
        if (!sc.literal(",") || !sc.key(f.key) || !sc.literal(":")) return sc.failure;
        if (reserved_key(f.key) || out.find(f.key) != nullptr) {
            return scan_failure{field_start + 2, fmt::format("duplicate key '{}'", f.key)};
        }
        if (out.field_count == max_fields) {
            return scan_failure{field_start + 1, "too many fields"};
        }
        const std::size_t value_start = sc.pos();
        if (!sc.value(0)) return sc.failure;
        f.raw = prefix.substr(value_start, sc.pos() - value_start);
        out.fields[out.field_count++] = f;
    }
    return std::nullopt;
}

std::string string_value(std::string_view raw)
{
    if (raw.find('\\') == std::string_view::npos) return std::string(raw.substr(1, raw.size() - 2));
    boost::system::error_code ec;
    auto v = boost::json::parse(raw, ec);
    if (ec || !v.is_string()) return {};
    return std::string(v.get_string());
}

}  // namespace paymand::audit::detail
