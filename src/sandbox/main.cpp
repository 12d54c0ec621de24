// payman-sandbox: a local server speaking Payman's agent API, for the demo, tests and benchmarks.

#include "paymand/core/build_info.hpp"

#include <CLI/CLI.hpp>

#include <iostream>

int main(int argc, char** argv)
{
    CLI::App app{"payman-sandbox: a local, Payman-compatible server for tests and demos.\n"
                 "Example: payman-sandbox --version"};
    app.set_version_flag("--version", paymand::build_info("payman-sandbox"));
    CLI11_PARSE(app, argc, argv);
    std::cout << app.help();
    return 0;
}
