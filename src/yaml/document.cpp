#include "paymand/yaml/document.hpp"

#include "paymand/core/access.hpp"
#include "paymand/yaml/quote.hpp"

#include <fmt/format.h>
#include <unistd.h>
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/exceptions.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <set>
#include <unordered_set>
#include <utility>

namespace paymand::yaml {
namespace {

// yaml-cpp loads only the first document of a stream, silently. A document marker at column 0
// ("---" or "...") after content means a second document follows.
std::optional<int> second_document_line(std::string_view text)
{
    bool content = false;  // the first document has content
    bool ended = false;    // "..." closed it
    int line = 0;
    std::size_t pos = 0;
    while (pos < text.size()) {
        auto end = text.find('\n', pos);
        if (end == std::string_view::npos) end = text.size();
        auto l = text.substr(pos, end - pos);
        if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
        bool start_marker = l.starts_with("---") && (l.size() == 3 || l[3] == ' ' || l[3] == '\t');
        bool end_marker = l.starts_with("...") && (l.size() == 3 || l[3] == ' ' || l[3] == '\t');
        auto rest = start_marker || end_marker ? l.substr(3) : l;
        auto first = rest.find_first_not_of(" \t");
        bool blank = first == std::string_view::npos || rest[first] == '#';
        if (start_marker && (content || ended)) return line;
        if (end_marker) ended = true;
        if (!blank && !end_marker) {
            if (ended) return line;
            content = true;
        }
        pos = end + 1;
        ++line;
    }
    return std::nullopt;
}

// YAML's encoding detection: UTF-16 and UTF-32 start with a byte order mark or, without one,
// have a NUL in one of their first two bytes.
bool is_utf8_stream(std::string_view text)
{
    if (text.size() < 2) return true;
    const auto b0 = static_cast<unsigned char>(text[0]);
    const auto b1 = static_cast<unsigned char>(text[1]);
    return b0 != 0 && b1 != 0 && !(b0 == 0xFF && b1 == 0xFE) && !(b0 == 0xFE && b1 == 0xFF);
}

// Walks the loaded tree once to find what yaml-cpp accepts silently: duplicate keys (it keeps
// both entries) and aliases (a node reached twice: its mark has been seen before). Aliases stop
// the walk into that node, so a small file cannot expand into a huge walk.
class structure_checker {
public:
    structure_checker(const std::string& file, diagnostics& diags) : file_(file), diags_(diags) {}

    bool saw_alias() const { return saw_alias_; }

    // `key` is the mapping key the node is the value of, if any: an alias shares its anchor's
    // mark, so the key is the only position that shows where the alias itself is.
    void walk(const YAML::Node& node, const YAML::Node* key = nullptr)
    {
        if (node.IsNull()) return;
        auto mark = node.Mark();
        if (mark.pos >= 0 && !seen_.insert({mark.pos, static_cast<int>(node.Type())}).second) {
            saw_alias_ = true;
            // Every alias of one anchor shares its mark: one report per position, or a
            // billion-laughs file yields thousands of identical lines.
            const auto& at = key ? key->Mark() : mark;
            if (!reported_.insert({at.line, at.column}).second) return;
            diags_.error(file_, key ? key->Mark() : mark,
                         key ? fmt::format("the value of {} is a YAML alias (*name); anchors "
                                           "and aliases are not allowed, write the value out",
                                           quote_value(key->Scalar()))
                             : std::string("a YAML alias (*name) repeats this value; anchors and "
                                           "aliases are not allowed, write the value out"));
            return;
        }
        if (node.IsSequence()) {
            for (const auto& item : node) walk(item);
        } else if (node.IsMap()) {
            std::unordered_set<std::string> keys;
            for (auto it = node.begin(); it != node.end(); ++it) {
                if (!it->first.IsScalar()) {
                    diags_.error(file_, it->first.Mark(), "a mapping key must be plain text");
                } else if (!keys.insert(it->first.Scalar()).second) {
                    diags_.error(file_, it->first.Mark(),
                                 fmt::format("duplicate key {} in this mapping",
                                             quote_value(it->first.Scalar())));
                }
                walk(it->second, it->first.IsScalar() ? &it->first : nullptr);
            }
        }
    }

private:
    struct pair_hash {
        std::size_t operator()(const std::pair<int, int>& p) const
        {
            return std::hash<long long>()((static_cast<long long>(p.first) << 4) ^ p.second);
        }
    };

    const std::string& file_;
    diagnostics& diags_;
    std::unordered_set<std::pair<int, int>, pair_hash> seen_;
    std::set<std::pair<int, int>> reported_;  // positions of the alias errors given
    bool saw_alias_ = false;
};

}  // namespace

std::optional<YAML::Node> load_text(std::string_view text, const std::string& file,
                                    diagnostics& diags)
{
    if (text.size() > max_file_size) {
        diags.error(
            file, 1, 1,
            fmt::format("file is larger than {} bytes; refusing to parse it", max_file_size));
        return std::nullopt;
    }
    // yaml-cpp stops at a NUL byte and then reports whatever the cut text looks like ("unknown
    // escape character"). UTF-8 YAML text cannot contain NUL: say so, where it is. (UTF-16 and
    // UTF-32 streams, told by a BOM or a NUL in their first two bytes, are yaml-cpp's to decode.)
    if (const auto nul = text.find('\0'); nul != std::string_view::npos && is_utf8_stream(text)) {
        const auto line_start = text.rfind('\n', nul);
        const auto line = 1 + std::count(text.begin(), text.begin() + nul, '\n');
        const auto column = line_start == std::string_view::npos ? nul + 1 : nul - line_start;
        diags.error(file, static_cast<int>(line), static_cast<int>(column),
                    "a NUL byte (\\x00) is not allowed in a YAML file");
        return std::nullopt;
    }
    try {
        std::string owned(text);
        YAML::Node root = YAML::Load(owned);
        if (auto line = second_document_line(text)) {
            diags.error(file, *line + 1, 1,
                        "a file holds one YAML document; remove the second one");
            return std::nullopt;
        }
        structure_checker checker(file, diags);
        checker.walk(root);
        if (checker.saw_alias()) return std::nullopt;
        return root;
    } catch (const YAML::DeepRecursion& e) {
        diags.error(file, e.mark,
                    fmt::format("lists and mappings nest {} levels deep here, the parser's limit; "
                                "paymand's files need only a few levels",
                                e.depth()));
    } catch (const YAML::ParserException& e) {
        diags.error(file, e.mark, fmt::format("YAML syntax error: {}", e.msg));
    } catch (const YAML::Exception& e) {
        diags.error(file, e.mark, fmt::format("cannot read YAML: {}", e.msg));
    }
    return std::nullopt;
}

std::optional<YAML::Node> load_file(const std::filesystem::path& path, const std::string& file,
                                    diagnostics& diags)
{
    // What stops this user reading it, with the fix: the errno, the directory or file in the
    // way (mode, owner) and sudo or the chmod (rule files hold no secret).
    const auto unreadable = [&](int err) {
        diags.error(file, 1, 1,
                    core::access_problem(path, err, "paymand check",
                                         fmt::format("make it readable: chmod a+r {}", file)));
    };
    if (::access(path.c_str(), R_OK) != 0 && errno != ENOENT) {
        unreadable(errno);
        return std::nullopt;
    }
    std::error_code ec;
    auto size = std::filesystem::file_size(path, ec);
    if (ec) {
        diags.error(file, 1, 1, fmt::format("cannot read file: {}", ec.message()));
        return std::nullopt;
    }
    if (size > max_file_size) {
        diags.error(
            file, 1, 1,
            fmt::format("file is larger than {} bytes; refusing to parse it", max_file_size));
        return std::nullopt;
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        unreadable(errno != 0 ? errno : EIO);
        return std::nullopt;
    }
    std::string text(static_cast<std::size_t>(size), '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    if (static_cast<std::size_t>(in.gcount()) != text.size()) {
        diags.error(file, 1, 1, "cannot read the whole file");
        return std::nullopt;
    }
    return load_text(text, file, diags);
}

}  // namespace paymand::yaml
