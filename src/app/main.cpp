// paymand: the daemon and its command line.

#include "paymand/core/build_info.hpp"

#include <CLI/CLI.hpp>

#include <iostream>

int main(int argc, char** argv)
{
    CLI::App app{"paymand: scheduled payment automation against the Payman platform.\n"
                 "Example: paymand --version"};
    app.set_version_flag("--version", paymand::build_info("paymand"));
    CLI11_PARSE(app, argc, argv);
    std::cout << app.help();
    return 0;
}
