#pragma once

#include <util/env.hpp>
#include <util/fs.hpp>
#include <util/terminal.hpp>

#include <functional>
#include <optional>
#include <string>

// Where passwords and client secrets come from. Never argv: a file, standard input, an
// environment variable, or a prompt without echo on the terminal.
namespace kms::oidc {

struct PasswordSource
{
    bool from_stdin = false;                 // --password-stdin
    std::function<std::string()> read_stdin; // all of standard input
};

// --password-stdin, then $KMS_PASSWORD, then a prompt on the terminal; a usage error naming the
// three ways when none is available (no terminal in scripts and CI).
std::string obtain_password(const PasswordSource& source, const util::Environment& env, util::Terminal& tty,
                            const std::string& username, const std::string& issuer);

// --client-secret-file (trailing newline dropped), then $KMS_CLIENT_SECRET; nullopt for public
// clients.
std::optional<std::string> obtain_client_secret(const std::string& file, const util::Filesystem& fs,
                                                const util::Environment& env);

} // namespace kms::oidc
