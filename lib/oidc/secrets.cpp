#include <oidc/secrets.hpp>
#include <util/error.hpp>

#include <fmt/format.h>

namespace kms::oidc {

namespace {

std::string strip_newline(std::string s)
{
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) {
        s.pop_back();
    }
    return s;
}

} // namespace

std::string obtain_password(const PasswordSource& source, const util::Environment& env, util::Terminal& tty,
                            const std::string& username, const std::string& issuer)
{
    if (source.from_stdin) {
        std::string pw = strip_newline(source.read_stdin());
        if (pw.empty()) {
            throw Error("--password-stdin: standard input is empty", ExitCode::usage);
        }
        return pw;
    }
    if (auto pw = env.get("KMS_PASSWORD"); pw && !pw->empty()) {
        return *pw;
    }
    if (!tty.stdin_is_tty()) {
        throw Error(fmt::format("logging in to {} needs the password of \"{}\": use --password-stdin or "
                                "$KMS_PASSWORD, or run on a terminal to be asked",
                                issuer, username),
                    ExitCode::usage);
    }
    return tty.read_secret(fmt::format("Password for {} at {}: ", username, issuer));
}

std::optional<std::string> obtain_client_secret(const std::string& file, const util::Filesystem& fs,
                                                const util::Environment& env)
{
    if (!file.empty()) {
        auto text = fs.read(file);
        if (!text) {
            throw Error(fmt::format("flag --client-secret-file: {} does not exist", file), ExitCode::usage);
        }
        std::string secret = strip_newline(*text);
        if (secret.empty()) {
            throw Error(fmt::format("flag --client-secret-file: {} is empty", file), ExitCode::usage);
        }
        return secret;
    }
    if (auto s = env.get("KMS_CLIENT_SECRET"); s && !s->empty()) {
        return *s;
    }
    return std::nullopt;
}

} // namespace kms::oidc
