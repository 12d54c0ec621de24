#pragma once

// Errors found while reading an input file, each tied to a position in it, collected so that
// one load reports every problem at once rather than stopping at the first.

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

namespace paymand::yaml {

struct diagnostic {
    std::string file;  // as the user named it, e.g. "rules/rent.yaml"
    int line = 1;      // 1-based
    int column = 1;    // 1-based
    std::string message;

    // "rules/rent.yaml:12:7: error: <message>"
    std::string to_string() const;
};

class diagnostics {
public:
    // Records an error at a yaml-cpp mark (0-based; printed 1-based). A mark without a
    // position (an empty document) is reported at 1:1.
    void error(const std::string& file, const YAML::Mark& mark, std::string message);
    void error(const std::string& file, int line, int column, std::string message);

    bool empty() const { return items_.empty(); }
    std::size_t size() const { return items_.size(); }
    // In file and line order: files in the order their first error was found, within a file
    // by line and column (a reader that checks a document in several passes still reports
    // top to bottom); errors at one position in the order found.
    const std::vector<diagnostic>& items() const { return items_; }

    // Every diagnostic in that order, one a line, each ending with '\n'.
    std::string to_string() const;

private:
    std::vector<diagnostic> items_;
};

}  // namespace paymand::yaml
