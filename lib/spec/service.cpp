#include <spec/service.hpp>

namespace kms::spec {

std::string_view to_string(Protocol p)
{
    switch (p) {
    case Protocol::http:
        return "http";
    case Protocol::tcp:
        return "tcp";
    case Protocol::grpc:
        return "grpc";
    case Protocol::websocket:
        return "websocket";
    }
    return "http";
}

SourcePos Service::pos_of(const std::string& field) const
{
    // The field itself, else its closest recorded parent ("replicas.min" → "replicas").
    std::string f = field;
    while (true) {
        auto it = positions.find(f);
        if (it != positions.end()) {
            return it->second;
        }
        auto dot = f.rfind('.');
        if (dot == std::string::npos) {
            break;
        }
        f.resize(dot);
    }
    auto any = positions.find("");
    return any != positions.end() ? any->second : SourcePos{};
}

} // namespace kms::spec
