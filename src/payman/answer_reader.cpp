// A handler of Boost.JSON's own parser keeps the members a tasks.send result is made of and
// passes over the rest, instead of building the whole document as a tree and then looking
// members up in it: the same parser accepts and refuses the same bodies.

#include "payman/answer_reader.hpp"

#include <boost/json/array.hpp>
#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/object.hpp>
#include <boost/json/string.hpp>

#include <array>
#include <cstdint>
#include <span>

namespace paymand::payman::detail {
namespace {

namespace json = boost::json;
using json::error_code;

// Where a value sits in the answer. Every other place is `ignored`: its subtree is passed over.
enum class place : std::uint8_t {
    ignored,
    document,
    rpc_id,
    error,
    error_code,
    error_message,
    result,
    task_id,
    session_camel,
    session_snake,
    status,
    state,
    timestamp,
    message,
    message_parts,
    message_part,
    artifacts,
    artifact,
    artifact_name,
    artifact_description,
    artifact_parts,
    artifact_part,
    part_type,
    part_text,
};

struct member_name {
    std::string_view key;
    place where;
};

// The members read in an object at `container`; an empty span for an ignored object.
std::span<const member_name> members_of(place container)
{
    static constexpr std::array document{member_name{"id", place::rpc_id},
                                         member_name{"error", place::error},
                                         member_name{"result", place::result}};
    static constexpr std::array error{member_name{"code", place::error_code},
                                      member_name{"message", place::error_message}};
    static constexpr std::array result{
        member_name{"id", place::task_id}, member_name{"sessionId", place::session_camel},
        member_name{"session_id", place::session_snake}, member_name{"status", place::status},
        member_name{"artifacts", place::artifacts}};
    static constexpr std::array status{member_name{"state", place::state},
                                       member_name{"message", place::message},
                                       member_name{"timestamp", place::timestamp}};
    static constexpr std::array message{member_name{"parts", place::message_parts}};
    static constexpr std::array artifact{member_name{"name", place::artifact_name},
                                         member_name{"description", place::artifact_description},
                                         member_name{"parts", place::artifact_parts}};
    static constexpr std::array part{member_name{"type", place::part_type},
                                     member_name{"text", place::part_text}};
    switch (container) {
    case place::document:
        return document;
    case place::error:
        return error;
    case place::result:
        return result;
    case place::status:
        return status;
    case place::message:
        return message;
    case place::artifact:
        return artifact;
    case place::message_part:
    case place::artifact_part:
        return part;
    default:
        return {};
    }
}

// What an element of an array at `container` is.
place element_of(place container)
{
    switch (container) {
    case place::artifacts:
        return place::artifact;
    case place::message_parts:
        return place::message_part;
    case place::artifact_parts:
        return place::artifact_part;
    default:
        return place::ignored;
    }
}

void append_part(std::string& joined, const part_members& part)
{
    if (!part.counts() || part.text.kind != shape::string) return;
    if (!joined.empty()) joined.push_back('\n');
    joined += part.text.value;
}

class answer_reader {
public:
    // As Boost.JSON's own tree builder: what the tree could hold, the parser accepts.
    static constexpr std::size_t max_object_size = json::object::max_size();
    static constexpr std::size_t max_array_size = json::array::max_size();
    static constexpr std::size_t max_key_size = json::string::max_size();
    static constexpr std::size_t max_string_size = json::string::max_size();

    answer_members found;

    bool on_document_begin(error_code&) { return true; }
    bool on_document_end(error_code&) { return true; }
    bool on_object_begin(error_code& ec) { return open(shape::object, ec); }
    bool on_object_end(std::size_t, error_code&) { return close(); }
    bool on_array_begin(error_code& ec) { return open(shape::array, ec); }
    bool on_array_end(std::size_t, error_code&) { return close(); }
    bool on_key_part(json::string_view s, std::size_t, error_code&)
    {
        if (!members_of(open_[depth_ - 1].where).empty()) key_.append(s.data(), s.size());
        return true;
    }
    bool on_key(json::string_view s, std::size_t, error_code&)
    {
        const auto names = members_of(open_[depth_ - 1].where);
        next_ = place::ignored;
        if (names.empty()) return true;
        key_.append(s.data(), s.size());
        for (const auto& name : names)
            if (name.key == key_) next_ = name.where;
        key_.clear();
        forget(next_);
        return true;
    }
    bool on_string_part(json::string_view s, std::size_t, error_code&)
    {
        if (auto* text = text_at(here())) text->append(s.data(), s.size());
        return true;
    }
    bool on_string(json::string_view s, std::size_t, error_code&)
    {
        const place p = here();
        if (auto* text = text_at(p)) text->append(s.data(), s.size());
        return value(p, shape::string);
    }
    bool on_number_part(json::string_view, error_code&) { return true; }
    bool on_int64(std::int64_t i, json::string_view, error_code&)
    {
        const place p = here();
        if (p == place::error_code) found.error_code_value = i;
        return value(p, shape::integer);
    }
    bool on_uint64(std::uint64_t, json::string_view, error_code&)
    {
        return value(here(), shape::other);
    }
    bool on_double(double, json::string_view, error_code&) { return value(here(), shape::other); }
    bool on_bool(bool, error_code&) { return value(here(), shape::other); }
    bool on_null(error_code&) { return value(here(), shape::null); }
    bool on_comment_part(json::string_view, error_code&) { return true; }
    bool on_comment(json::string_view, error_code&) { return true; }

private:
    // The place of the value that starts now: a member's, an element's, or the document's.
    place here() const
    {
        if (depth_ == 1) return place::document;
        const frame& in = open_[depth_ - 1];
        return in.array ? element_of(in.where) : next_;
    }

    // The string member at `p`, or null where `p` is not one.
    text_member* text_member_at(place p)
    {
        auto& f = found;
        switch (p) {
        case place::rpc_id:
            return &f.rpc_id;
        case place::error_message:
            return &f.error_message;
        case place::task_id:
            return &f.task_id;
        case place::session_camel:
            return &f.session_camel;
        case place::session_snake:
            return &f.session_snake;
        case place::state:
            return &f.state;
        case place::timestamp:
            return &f.timestamp;
        case place::artifact_name:
            return &f.artifact_list.back().name;
        case place::artifact_description:
            return &f.artifact_list.back().description;
        case place::part_type:
            return &part_.type;
        case place::part_text:
            return &part_.text;
        default:
            return nullptr;
        }
    }

    // Where the form of any other value read at `p` is kept; null where it is not.
    shape* shape_at(place p)
    {
        auto& f = found;
        switch (p) {
        case place::document:
            return &f.document;
        case place::error:
            return &f.error;
        case place::error_code:
            return &f.error_code_kind;
        case place::result:
            return &f.result;
        case place::status:
            return &f.status;
        case place::message:
            return &f.message;
        case place::artifacts:
            return &f.artifacts;
        default:
            return nullptr;
        }
    }

    // A member met again replaces what its earlier value said, and all that was read inside it.
    void forget(place p)
    {
        if (auto* member = text_member_at(p)) return member->reset();
        auto& f = found;
        switch (p) {
        case place::error:
            f.reset_error();
            break;
        case place::result:
            f.reset_result();
            break;
        case place::status:
            f.reset_status();
            break;
        case place::message:
        case place::message_parts:
            f.message_text.clear();
            break;
        case place::artifacts:
            f.reset_artifacts();
            break;
        case place::artifact_parts:
            f.artifact_list.back().text.clear();
            break;
        default:
            break;
        }
    }

    // Where a string at `p` is kept; null where it is not read.
    std::string* text_at(place p)
    {
        if (auto* member = text_member_at(p)) return &member->value;
        return p == place::message ? &found.message_text : nullptr;
    }

    // Records the form of the value at `p`.
    bool value(place p, shape s)
    {
        if (auto* member = text_member_at(p))
            member->kind = s;
        else if (auto* form = shape_at(p))
            *form = s;
        else if (p == place::artifact && s != shape::object)
            found.artifact_not_object = true;
        return true;
    }

    bool open(shape s, error_code& ec)
    {
        if (depth_ == open_.size()) {
            // The parser's own depth limit comes first; this only keeps the stack in bounds.
            ec = json::error::too_deep;
            return false;
        }
        const place p = here();
        value(p, s);
        if (p == place::artifact && s == shape::object) found.artifact_list.emplace_back();
        if ((p == place::message_part || p == place::artifact_part) && s == shape::object)
            part_ = {};
        // A container whose members or elements are read keeps its place; any other is passed
        // over with everything in it.
        const bool read =
            s == shape::object ? !members_of(p).empty() : element_of(p) != place::ignored;
        open_[depth_++] = {read ? p : place::ignored, s == shape::array};
        return true;
    }

    bool close()
    {
        const place p = open_[--depth_].where;
        if (p == place::message_part) append_part(found.message_text, part_);
        if (p == place::artifact_part) append_part(found.artifact_list.back().text, part_);
        return true;
    }

    struct frame {
        place where = place::ignored;
        bool array = false;
    };
    // The containers open, outermost first; open_[0] stands for the document itself. The
    // parser refuses nesting deeper than its max_depth (32 by default) before this fills.
    std::array<frame, 64> open_{frame{place::document, false}};
    std::size_t depth_ = 1;
    place next_ = place::ignored;  // the place of the member whose key came last
    part_members part_;            // the part being read (parts do not nest)
    std::string key_;
};

}  // namespace

bool read_answer(std::string_view body, answer_members& out)
{
    json::basic_parser<answer_reader> parser(json::parse_options{});
    error_code ec;
    const std::size_t used = parser.write_some(false, body.data(), body.size(), ec);
    if (ec || used != body.size()) return false;
    out = std::move(parser.handler().found);
    return true;
}

}  // namespace paymand::payman::detail
