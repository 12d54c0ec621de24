#pragma once

#include <string>

namespace paymand {

// One line naming the program, its version and the libraries it was built
// against, as `--version` prints it: "paymand 0.1.0 (Boost 1.81.0, OpenSSL 3.0.19, ...)".
std::string build_info(std::string_view program);

}  // namespace paymand
