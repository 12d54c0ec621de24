#include "support/audit_witness.hpp"

#include <boost/json/parse.hpp>

#include <fstream>

namespace paymand::test {

std::vector<boost::json::object> read_records(const std::filesystem::path& log)
{
    std::vector<boost::json::object> out;
    std::ifstream in(log);
    for (std::string line; std::getline(in, line);) {
        if (line.empty()) continue;
        boost::system::error_code ec;
        auto v = boost::json::parse(line, ec);
        if (!ec && v.is_object()) out.push_back(v.as_object());
    }
    return out;
}

std::string tag_of(std::string_view identity)
{
    const bool manual = identity.ends_with("~manual");
    if (manual) identity.remove_suffix(std::string_view("~manual").size());
    auto at = identity.find('@');
    std::string local(identity.substr(at + 1));
    std::erase(local, '-');
    std::erase(local, ':');
    return "pm:" + std::string(identity.substr(0, at)) + ":" + local + (manual ? "m" : "");
}

}  // namespace paymand::test
