#pragma once

// What the multi-process tests read to judge a run: the audit log's records as JSON, and the
// memo tag that ties an occurrence to the payment the sandbox booked for it.

#include <boost/json/object.hpp>

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace paymand::test {

// Every line of `log` that parses as a JSON object, in order (a torn last line is left out).
std::vector<boost::json::object> read_records(const std::filesystem::path& log);

// "r1@2026-12-01T09:00" -> "pm:r1:20261201T0900", the tag its payment's memo carries
// ("r1@2026-12-01T09:00~manual" -> "pm:r1:20261201T0900m").
std::string tag_of(std::string_view identity);

}  // namespace paymand::test
