#pragma once

// Throwaway TLS material for tests, made at test time with the openssl command: a CA, a
// server certificate for 127.0.0.1 and localhost signed by it, one for a wrong host name
// signed by the same CA, and a server certificate from a second CA that clients do not trust.

#include <filesystem>

namespace paymand::test {

struct tls_files {
    std::filesystem::path ca_cert;      // trust this one
    std::filesystem::path server_cert;  // CN/SAN 127.0.0.1, localhost; signed by ca_cert
    std::filesystem::path server_key;
    std::filesystem::path wrong_host_cert;  // SAN wrong-host.invalid only; signed by ca_cert
    std::filesystem::path wrong_host_key;
    std::filesystem::path unknown_ca_cert;         // a CA nobody trusts
    std::filesystem::path unknown_ca_server_cert;  // 127.0.0.1, localhost; signed by unknown_ca
    std::filesystem::path unknown_ca_server_key;
    std::filesystem::path cn_only_cert;  // CN localhost, no subjectAltName; signed by ca_cert
    std::filesystem::path cn_only_key;
};

// Writes all files into `dir` (which must exist) and returns their paths. Throws
// std::runtime_error with openssl's output when a step fails.
tls_files make_tls_files(const std::filesystem::path& dir);

}  // namespace paymand::test
