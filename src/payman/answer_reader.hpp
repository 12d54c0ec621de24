#pragma once

// The members of a tasks.send answer that its result is made of, read in one pass over the body
// (answer_reader.cpp). Internal to protocol.cpp's parse_ask_response, which checks them.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace paymand::payman::detail {

// The form a member's value took, as far as the checks below tell forms apart.
enum class shape : std::uint8_t { absent, null, string, integer, object, array, other };

// A member read only when it is a string: any other value counts as missing.
struct text_member {
    shape kind = shape::absent;
    std::string value;

    void reset()
    {
        kind = shape::absent;
        value.clear();
    }
    const std::string* string() const { return kind == shape::string ? &value : nullptr; }
};

// One element of a parts array: a text part unless its type is a string other than "text".
struct part_members {
    text_member type;
    text_member text;

    bool counts() const { return type.kind != shape::string || type.value == "text"; }
};

struct artifact_members {
    text_member name;
    text_member description;
    std::string text;  // its parts' text, joined with "\n"
};

// Everything of the answer the result is made of.
struct answer_members {
    shape document = shape::absent;
    text_member rpc_id;
    shape error = shape::absent;
    shape error_code_kind = shape::absent;
    std::int64_t error_code_value = 0;
    text_member error_message;
    shape result = shape::absent;
    text_member task_id;
    text_member session_camel;
    text_member session_snake;
    shape status = shape::absent;
    text_member state;
    text_member timestamp;
    shape message = shape::absent;
    std::string message_text;  // a string message, or a message object's text parts
    shape artifacts = shape::absent;
    bool artifact_not_object = false;
    std::vector<artifact_members> artifact_list;

    void reset_error()
    {
        error_code_kind = shape::absent;
        error_message.reset();
    }
    void reset_status()
    {
        state.reset();
        timestamp.reset();
        message = shape::absent;
        message_text.clear();
    }
    void reset_artifacts()
    {
        artifacts = shape::absent;
        artifact_not_object = false;
        artifact_list.clear();
    }
    void reset_result()
    {
        task_id.reset();
        session_camel.reset();
        session_snake.reset();
        status = shape::absent;
        reset_status();
        reset_artifacts();
    }
};

// Reads `body` as one JSON document into `out`: false when it is not one (Boost.JSON's own
// parser and options decide, as json::parse would). A member repeated in one object counts
// with its last value, as Boost.JSON's tree keeps it.
bool read_answer(std::string_view body, answer_members& out);

}  // namespace paymand::payman::detail
