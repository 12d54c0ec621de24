#include "reply/json_tree.hpp"

#include <boost/json/basic_parser_impl.hpp>

namespace paymand::reply::detail {
namespace {

using boost::json::error_code;
using boost::json::string_view;

class tree_builder {
public:
    static constexpr std::size_t max_object_size = 4096;
    static constexpr std::size_t max_array_size = 4096;
    static constexpr std::size_t max_key_size = 1024;
    static constexpr std::size_t max_string_size = 64 * 1024;

    std::optional<json_node> root;

    bool on_document_begin(error_code&) { return true; }
    bool on_document_end(error_code&) { return true; }
    bool on_object_begin(error_code&) { return open(json_node::kind::object); }
    bool on_object_end(std::size_t, error_code&) { return close(); }
    bool on_array_begin(error_code&) { return open(json_node::kind::array); }
    bool on_array_end(std::size_t, error_code&) { return close(); }
    bool on_key_part(string_view s, std::size_t, error_code&)
    {
        buffer_.append(s.data(), s.size());
        return true;
    }
    bool on_key(string_view s, std::size_t, error_code&)
    {
        buffer_.append(s.data(), s.size());
        keys_.back() = std::move(buffer_);
        buffer_.clear();
        return true;
    }
    bool on_string_part(string_view s, std::size_t, error_code&)
    {
        buffer_.append(s.data(), s.size());
        return true;
    }
    bool on_string(string_view s, std::size_t, error_code&)
    {
        buffer_.append(s.data(), s.size());
        return scalar(json_node::kind::string);
    }
    bool on_number_part(string_view s, error_code&)
    {
        buffer_.append(s.data(), s.size());
        return true;
    }
    bool on_int64(std::int64_t, string_view s, error_code&) { return number(s); }
    bool on_uint64(std::uint64_t, string_view s, error_code&) { return number(s); }
    bool on_double(double, string_view s, error_code&) { return number(s); }
    bool on_bool(bool b, error_code&)
    {
        buffer_ = b ? "true" : "false";
        return scalar(json_node::kind::boolean);
    }
    bool on_null(error_code&) { return scalar(json_node::kind::null); }
    bool on_comment_part(string_view, error_code&) { return true; }
    bool on_comment(string_view, error_code&) { return true; }

private:
    bool open(json_node::kind k)
    {
        json_node node;
        node.type = k;
        stack_.push_back(std::move(node));
        keys_.emplace_back();
        return true;
    }
    bool close()
    {
        json_node node = std::move(stack_.back());
        stack_.pop_back();
        keys_.pop_back();
        return attach(std::move(node));
    }
    bool number(string_view s)
    {
        buffer_.append(s.data(), s.size());
        return scalar(json_node::kind::number);
    }
    bool scalar(json_node::kind k)
    {
        json_node node;
        node.type = k;
        node.text = std::move(buffer_);
        buffer_.clear();
        return attach(std::move(node));
    }
    bool attach(json_node node)
    {
        if (stack_.empty()) {
            root = std::move(node);
            return true;
        }
        json_node& parent = stack_.back();
        if (parent.type == json_node::kind::object) parent.keys.push_back(keys_.back());
        parent.values.push_back(std::move(node));
        return true;
    }

    std::vector<json_node> stack_;
    std::vector<std::string> keys_;
    std::string buffer_;
};

}  // namespace

std::optional<json_node> parse_json(std::string_view text)
{
    boost::json::parse_options options;
    options.max_depth = 16;
    boost::json::basic_parser<tree_builder> parser(options);
    error_code ec;
    const std::size_t used = parser.write_some(false, text.data(), text.size(), ec);
    if (ec || used != text.size()) return std::nullopt;
    return std::move(parser.handler().root);
}

std::optional<json_node> reply_json(std::string_view reply)
{
    std::size_t first = reply.find_first_not_of(" \t\r\n");
    if (first != std::string_view::npos && (reply[first] == '{' || reply[first] == '[')) {
        if (auto doc = parse_json(reply)) return doc;
    }
    for (std::size_t fence = reply.find("```json"); fence != std::string_view::npos;
         fence = reply.find("```json", fence + 7)) {
        const std::size_t start = fence + 7;
        const std::size_t end = reply.find("```", start);
        if (end == std::string_view::npos) break;
        if (auto doc = parse_json(reply.substr(start, end - start))) return doc;
    }
    return std::nullopt;
}

}  // namespace paymand::reply::detail
