#pragma once

#include <span>
#include <string>
#include <string_view>

// Files from templates/, compiled into the binary (see cmake/EmbedTemplates.cmake).
namespace kms::templates {

struct Entry
{
    std::string_view path;
    std::string_view content;
};

std::span<const Entry> all();

// The content of templates/`path`; throws kms::Error when there is no such template.
std::string_view get(std::string_view path);

} // namespace kms::templates
