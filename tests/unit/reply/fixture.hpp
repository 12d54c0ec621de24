#pragma once

#include <fstream>
#include <sstream>
#include <string>

namespace paymand::reply::test {

// The text of tests/fixtures/replies/<name>; empty (and the test fails) if it cannot be read.
inline std::string fixture(const std::string& name)
{
    std::ifstream in(std::string(PAYMAND_SOURCE_DIR) + "/tests/fixtures/replies/" + name,
                     std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace paymand::reply::test
