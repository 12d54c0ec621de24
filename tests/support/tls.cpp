#include "support/tls.hpp"

#include "support/process.hpp"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <stdexcept>

namespace paymand::test {

namespace {

std::filesystem::path openssl_binary()
{
    const char* path = std::getenv("PATH");
    std::string dirs = path != nullptr ? path : "/usr/bin:/bin";
    std::size_t start = 0;
    while (start <= dirs.size()) {
        auto colon = dirs.find(':', start);
        std::filesystem::path candidate =
            std::filesystem::path(
                dirs.substr(start, colon == std::string::npos ? colon : colon - start)) /
            "openssl";
        if (::access(candidate.c_str(), X_OK) == 0) return candidate;
        if (colon == std::string::npos) break;
        start = colon + 1;
    }
    throw std::runtime_error("the openssl command is not installed");
}

void openssl(const std::vector<std::string>& args)
{
    auto result = run(openssl_binary(), process_params{.args = args});
    if (!result.status.ok())
        throw std::runtime_error("openssl " + args.front() + " failed: " + result.err);
}

void make_ca(const std::filesystem::path& dir, const std::string& name, const std::string& cn)
{
    openssl({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
             "-keyout", (dir / (name + ".key")).string(), "-out", (dir / (name + ".pem")).string(),
             "-days", "2", "-subj", "/CN=" + cn, "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign"});
}

// An empty `san`: a certificate with a CN only, as before RFC 2818 was enforced.
void make_leaf(const std::filesystem::path& dir, const std::string& ca, const std::string& name,
               const std::string& cn, const std::string& san)
{
    auto ext = dir / (name + ".ext");
    std::ofstream(ext) << "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n"
                          "extendedKeyUsage=serverAuth\n"
                       << (san.empty() ? "" : "subjectAltName=" + san + "\n");
    openssl({"req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
             (dir / (name + ".key")).string(), "-out", (dir / (name + ".csr")).string(), "-subj",
             "/CN=" + cn});
    openssl({"x509", "-req", "-in", (dir / (name + ".csr")).string(), "-CA",
             (dir / (ca + ".pem")).string(), "-CAkey", (dir / (ca + ".key")).string(),
             "-CAcreateserial", "-out", (dir / (name + ".pem")).string(), "-days", "2", "-extfile",
             ext.string()});
}

}  // namespace

tls_files make_tls_files(const std::filesystem::path& dir)
{
    make_ca(dir, "ca", "paymand test CA");
    make_ca(dir, "unknown-ca", "unknown test CA");
    make_leaf(dir, "ca", "server", "127.0.0.1", "IP:127.0.0.1,DNS:localhost");
    make_leaf(dir, "ca", "wrong-host", "wrong-host.invalid", "DNS:wrong-host.invalid");
    make_leaf(dir, "unknown-ca", "unknown-server", "127.0.0.1", "IP:127.0.0.1,DNS:localhost");
    make_leaf(dir, "ca", "cn-only", "localhost", "");
    return tls_files{dir / "ca.pem",
                     dir / "server.pem",
                     dir / "server.key",
                     dir / "wrong-host.pem",
                     dir / "wrong-host.key",
                     dir / "unknown-ca.pem",
                     dir / "unknown-server.pem",
                     dir / "unknown-server.key",
                     dir / "cn-only.pem",
                     dir / "cn-only.key"};
}

}  // namespace paymand::test
