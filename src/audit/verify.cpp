#include "paymand/audit/verify.hpp"

#include "log_walker.hpp"
#include "paymand/audit/codec.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace paymand::audit {

core::result<verify_report> verify_log(const std::filesystem::path& path,
                                       const verify_params& params)
{
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return core::error{{errno, boost::system::system_category()},
                           0,
                           fmt::format("cannot open {}: {}", path.string(), std::strerror(errno))};
    }
    detail::summary_scratch scratch;
    record_summary summary;
    auto walked =
        detail::walk_log(fd,
                         [&](std::string_view line, const detail::scanned_line& scanned,
                             record_type type, std::uint64_t) -> std::optional<std::string> {
                             if (params.full_parse) {
                                 auto r = parse_line(line);
                                 if (!r) return r.error().message;
                                 return std::nullopt;
                             }
                             return detail::summarize_scanned(scanned, type, scratch, summary);
                         });
    ::close(fd);
    if (walked.io_error) return *walked.io_error;

    verify_report report;
    report.records = walked.records;
    report.last_seq = walked.last_seq;
    report.bytes = walked.good_end;
    report.torn_tail_bytes = walked.torn_bytes;
    if (walked.problem) report.problem = detail::to_log_problem(*walked.problem, path);
    return report;
}

}  // namespace paymand::audit
