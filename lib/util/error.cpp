#include <util/error.hpp>

namespace kms {

std::string SourcePos::str() const
{
    if (!flag.empty()) {
        return "flag " + flag;
    }
    if (file.empty()) {
        return {};
    }
    if (line <= 0) {
        return file;
    }
    return fmt::format("{}:{}:{}", file, line, column);
}

static std::string with_pos(const SourcePos& pos, const std::string& message)
{
    std::string where = pos.str();
    return where.empty() ? message : where + ": " + message;
}

Error input_error(const SourcePos& pos, const std::string& message)
{
    return Error(with_pos(pos, message), ExitCode::usage);
}

void Diagnostics::error(const SourcePos& pos, const std::string& message)
{
    m_errors.push_back(with_pos(pos, message));
}

void Diagnostics::warning(const SourcePos& pos, const std::string& message)
{
    m_warnings.push_back(with_pos(pos, message));
}

void Diagnostics::throw_if_errors() const
{
    if (m_errors.empty()) {
        return;
    }
    std::string all;
    for (const auto& e : m_errors) {
        if (!all.empty()) {
            all += '\n';
        }
        all += e;
    }
    throw Error(all, ExitCode::usage);
}

} // namespace kms
