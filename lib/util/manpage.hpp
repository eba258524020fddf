#pragma once

#include <util/command_tree.hpp>

#include <functional>
#include <optional>
#include <string>
#include <vector>

// man(7) pages generated from a command tree: one page for the program, one per visible command.
namespace kms::util {

struct ManPage
{
    std::string file_name; // "kubectl-microservice-render.1"
    std::string text;
};

struct ManSettings
{
    std::string program;    // "kubectl-microservice": page names
    std::string invocation; // "kubectl microservice": what users type, in the synopsis
    std::string source;     // .TH's fourth field: "kubectl-microservice"
    std::string manual;     // .TH's fifth field: "kubectl-microservice manual"
    // Hand-written prose for a page, by page name without the section ("kubectl-microservice-diff"),
    // in the light markup of render_prose. A DESCRIPTION section extends the generated one; an
    // EXIT STATUS section replaces default_exit_status; any other section is added before it.
    std::function<std::optional<std::string>(const std::string& page)> prose;
    std::string default_exit_status; // prose of the EXIT STATUS section of every page
    std::vector<std::string> see_also; // extra references on every page: "kubectl(1)"
};

std::vector<ManPage> man_pages(const CommandInfo& root, const ManSettings& settings);

// A page written wholly in prose (a file format's page, section 5): `summary` is its NAME line.
ManPage prose_page(const std::string& name, int section, const std::string& summary, std::string_view markup,
                   const ManSettings& settings);

// Escapes text for roff: backslashes, hyphens (so they stay ASCII minus signs), a leading dot or
// quote.
std::string roff_escape(std::string_view text);

// Turns light markup into roff. Lines in capitals ("EXIT STATUS") start sections; a blank line
// separates paragraphs; lines indented by four spaces are literal; "* TERM" starts a tagged
// paragraph whose body is the following lines; `code` is bold.
std::string render_prose(std::string_view markup);

} // namespace kms::util
