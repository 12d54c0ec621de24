#include "sandbox/request_log.hpp"

#include "paymand/text/utf8.hpp"

#include <chrono>

namespace paymand::sandbox {

namespace json = boost::json;

namespace {

json::value log_optional_string(const std::optional<std::string>& s)
{
    return s ? json::value(*s) : json::value(nullptr);
}

bool memo_id_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

bool memo_digit(char c)
{
    return c >= '0' && c <= '9';
}

unsigned memo_number(std::string_view digits)
{
    unsigned v = 0;
    for (char c : digits) v = v * 10 + static_cast<unsigned>(c - '0');
    return v;
}

// Whether YYYYMMDDTHHMM names a real date and time.
bool memo_stamp_valid(std::string_view stamp)
{
    if (stamp.size() != 13 || stamp[8] != 'T') return false;
    for (std::size_t k = 0; k < 13; ++k)
        if (k != 8 && !memo_digit(stamp[k])) return false;
    const std::chrono::year_month_day date{
        std::chrono::year{static_cast<int>(memo_number(stamp.substr(0, 4)))},
        std::chrono::month{memo_number(stamp.substr(4, 2))},
        std::chrono::day{memo_number(stamp.substr(6, 2))}};
    return date.ok() && memo_number(stamp.substr(9, 2)) <= 23 &&
           memo_number(stamp.substr(11, 2)) <= 59;
}

// The length of the memo tag starting exactly at text[0], or 0 when none starts there:
// "pm:", a rule id [a-z0-9][a-z0-9._-]{0,63}, ":", YYYYMMDDTHHMM, an optional "m", and then
// neither an id character nor ':'.
std::size_t memo_tag_length(std::string_view text)
{
    if (text.substr(0, 3) != "pm:") return 0;
    std::size_t i = 3;
    if (i >= text.size() || !((text[i] >= 'a' && text[i] <= 'z') || memo_digit(text[i]))) return 0;
    while (i < text.size() && memo_id_char(text[i])) ++i;
    if (i - 3 > 64 || i >= text.size() || text[i] != ':') return 0;
    if (!memo_stamp_valid(text.substr(i + 1, 13))) return 0;
    std::size_t end = i + 14;
    if (end < text.size() && text[end] == 'm') ++end;
    if (end < text.size() && (memo_id_char(text[end]) || text[end] == ':')) return 0;
    return end;
}

// The text parts of params.message joined by newlines (parts of another type skipped).
std::string log_message_text(const json::object& params)
{
    const json::value* message = params.if_contains("message");
    if (!message || !message->is_object()) return {};
    const json::value* parts = message->get_object().if_contains("parts");
    if (!parts || !parts->is_array()) return {};
    std::string text;
    bool first = true;
    for (const auto& part : parts->get_array()) {
        if (!part.is_object()) continue;
        const json::value* type = part.get_object().if_contains("type");
        if (type && type->is_string() && type->get_string() != "text") continue;
        const json::value* t = part.get_object().if_contains("text");
        if (!t || !t->is_string()) continue;
        if (!first) text += "\n";
        first = false;
        text += t->get_string();
    }
    return text;
}

// params.metadata (kept when small enough) and the idempotency key it holds.
void log_metadata(const json::object& params, logged_request& entry)
{
    const json::value* meta = params.if_contains("metadata");
    if (!meta || !meta->is_object()) return;
    for (std::string_view key : {"idempotencyKey", "idempotency_key"}) {
        const json::value* k = meta->get_object().if_contains(key);
        if (k && k->is_string()) {
            entry.idempotency_key = cut_utf8(k->get_string(), request_log::key_limit);
            break;
        }
    }
    std::string serialised = json::serialize(*meta);
    if (serialised.size() <= request_log::metadata_limit)
        entry.metadata = std::move(serialised);
    else
        entry.metadata_cut = true;
}

}  // namespace

json::object logged_request::to_json() const
{
    return json::object{
        {"seq", seq},
        {"time", format_time(time)},
        {"client_id", log_optional_string(client_id)},
        {"idempotency_key", log_optional_string(idempotency_key)},
        {"metadata", metadata.empty() ? json::value(nullptr) : json::parse(metadata)},
        {"metadata_cut", metadata_cut},
        {"memo_tag", log_optional_string(memo_tag)},
        {"text", text},
        {"fault", log_optional_string(fault)},
        {"status", status ? json::value(*status) : json::value(nullptr)}};
}

request_log::request_log(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

void request_log::append(logged_request entry)
{
    entry.seq = next_seq_++;
    entries_.push_back(std::move(entry));
    while (entries_.size() > capacity_) {
        entries_.pop_front();
        ++dropped_;
    }
}

void request_log::clear()
{
    entries_.clear();
    next_seq_ = 1;
    dropped_ = 0;
}

json::object request_log::to_json(std::int64_t after) const
{
    json::array requests;
    for (const auto& entry : entries_)
        if (entry.seq > after) requests.push_back(entry.to_json());
    return json::object{{"requests", std::move(requests)}, {"dropped", dropped_}};
}

logged_request describe_tasks_body(std::string_view body)
{
    logged_request entry;
    boost::system::error_code ec;
    json::value v = json::parse(body, ec);
    if (ec || !v.is_object()) return entry;
    const json::value* params = v.get_object().if_contains("params");
    if (!params || !params->is_object()) return entry;
    const std::string text = log_message_text(params->get_object());
    entry.memo_tag = find_memo_tag_text(text);
    entry.text = cut_utf8(text, request_log::text_limit);
    log_metadata(params->get_object(), entry);
    return entry;
}

std::optional<std::string> find_memo_tag_text(std::string_view text)
{
    for (std::size_t pos = text.find("pm:"); pos != std::string_view::npos;
         pos = text.find("pm:", pos + 1)) {
        if (pos > 0 && memo_id_char(text[pos - 1])) continue;
        if (std::size_t length = memo_tag_length(text.substr(pos)); length > 0)
            return std::string(text.substr(pos, length));
    }
    return std::nullopt;
}

std::string cut_utf8(std::string_view text, std::size_t limit)
{
    std::size_t end = 0;
    while (end < text.size()) {
        std::size_t length = paymand::text::utf8_sequence_length(text, end);
        if (length == 0) length = 1;  // not UTF-8: cut byte by byte
        if (end + length > limit) break;
        end += length;
    }
    return std::string(text.substr(0, end));
}

}  // namespace paymand::sandbox
