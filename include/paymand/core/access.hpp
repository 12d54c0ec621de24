#pragma once

// Why a state file cannot be read by the user running a command, said the way an operator can
// act on it: the errno, the directory or file that stops them with its mode and owner, and the
// fix (sudo, or the group to join when the group may read).

#include <filesystem>
#include <string>
#include <string_view>

namespace paymand::core {

// "cannot read PATH: Permission denied (EACCES); /var/lib/private is mode 0700, owner root,
// group root: run `sudo COMMAND`". `err` is the errno of the failed call; `command` is what
// to run again (e.g. "paymand status --config /etc/paymand/paymand.yaml"); `other_fix`, when
// given, is offered as well (e.g. "make it readable: chmod 0644 FILE").
std::string access_problem(const std::filesystem::path& path, int err, std::string_view command,
                           std::string_view other_fix = {});

}  // namespace paymand::core
