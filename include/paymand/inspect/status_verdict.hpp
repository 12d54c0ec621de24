#pragma once

// `paymand status`'s verdict in the monitoring-plugin convention (Nagios, Icinga, Sensu):
// the worst of its findings decides the exit code, and the first line names it.

#include <string>
#include <string_view>
#include <vector>

namespace paymand::inspect {

// Ordered by severity; the values are the exit codes.
enum class health_level : int {
    ok = 0,        // running, nothing needs an operator
    warning = 1,   // something in doubt or failed recently: look at it today
    critical = 2,  // the daemon is down, or its audit log cannot be written or read whole
    unknown = 3,   // the state could not be read: nothing can be said
};

// "OK", "WARNING", "CRITICAL", "UNKNOWN".
std::string_view to_string(health_level level) noexcept;

struct health_finding {
    health_level level = health_level::ok;
    std::string text;  // one line, e.g. "1 occurrence in doubt"
};

class status_verdict {
public:
    // Records a finding; an ok finding is only reported in the summary when nothing is worse.
    void add(health_level level, std::string text);

    // The worst level added (ok when none).
    health_level level() const noexcept { return level_; }
    int exit_code() const noexcept { return static_cast<int>(level_); }
    const std::vector<health_finding>& findings() const noexcept { return findings_; }

    // "WARNING: 1 occurrence in doubt; 2 outcomes in the last 24 h need attention": the level
    // and the findings of that level, in the order they were added.
    std::string summary() const;

private:
    health_level level_ = health_level::ok;
    std::vector<health_finding> findings_;
};

}  // namespace paymand::inspect
