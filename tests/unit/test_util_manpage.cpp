#include <util/manpage.hpp>

#include <doctest/doctest.h>

#include <string>

using namespace kms::util;

namespace {

bool has(const std::string& text, const std::string& part)
{
    return text.find(part) != std::string::npos;
}

CommandInfo tree()
{
    CommandInfo root;
    root.name = "tool";
    root.description = "Does things";
    FlagInfo ns;
    ns.short_names = {"n"};
    ns.long_names = {"namespace"};
    ns.value_name = "TEXT";
    ns.description = "The namespace";
    ns.group = "Global options";
    root.flags = {ns};

    CommandInfo run;
    run.name = "run";
    run.description = "Run a thing";
    run.footer = "tool run x\n.dangerous line";
    FlagInfo out;
    out.short_names = {"o"};
    out.long_names = {"output"};
    out.value_name = "TEXT";
    out.choices = {"yaml", "json"};
    out.description = "Output format";
    out.group = "Options";
    out.default_value = "yaml";
    FlagInfo env;
    env.long_names = {"env"};
    env.value_name = "K=V";
    env.description = "An `env` var";
    env.group = "Options";
    env.repeatable = true;
    run.flags = {out, env};
    run.args = {ArgInfo{"NAME", "The thing", true, false, {}}};

    CommandInfo secret;
    secret.name = "__secret";
    secret.hidden = true;
    root.subcommands = {run, secret};
    return root;
}

ManSettings settings()
{
    ManSettings s;
    s.program = "tool";
    s.invocation = "kubectl tool";
    s.source = "tool";
    s.manual = "tool manual";
    s.default_exit_status = "* 0\nSuccess.";
    s.see_also = {"kubectl(1)"};
    s.prose = [](const std::string& page) -> std::optional<std::string> {
        if (page == "tool-run") {
            return std::string("More about run.\n\nEXAMPLES\n    tool run a\n\nEXIT STATUS\n* 3\nOdd.");
        }
        return std::nullopt;
    };
    return s;
}

} // namespace

TEST_SUITE("util::manpage")
{
    TEST_CASE("one page for the program and one per visible command")
    {
        auto pages = man_pages(tree(), settings());
        REQUIRE(pages.size() == 2);
        CHECK(pages[0].file_name == "tool.1");
        CHECK(pages[1].file_name == "tool-run.1");
        CHECK_FALSE(has(pages[0].text, "secret"));
    }

    TEST_CASE("the program's page lists its commands and flags and the default exit status")
    {
        auto t = man_pages(tree(), settings())[0].text;
        CHECK(has(t, ".TH \"TOOL\" \"1\" \"\" \"tool\" \"tool manual\"\n"));
        CHECK(has(t, ".SH NAME\ntool \\- Does things\n"));
        CHECK(has(t, ".SH COMMANDS\n.TP\n.BR tool\\-run (1)\nRun a thing\n"));
        CHECK(has(t, "\\fB\\-n\\fR, \\fB\\-\\-namespace\\fR=\\fITEXT\\fR\nThe namespace\n"));
        CHECK(has(t, ".SH EXIT STATUS\n.TP\n0\nSuccess.\n"));
        CHECK(has(t, ".SH SEE ALSO\n.BR tool\\-run (1),\n.BR kubectl (1)\n"));
    }

    TEST_CASE("a verb's page: synopsis with global options before it, choices, defaults, prose")
    {
        auto t = man_pages(tree(), settings())[1].text;
        CHECK(has(t, ".SH SYNOPSIS\n.B kubectl tool\n[\\fIGLOBAL OPTIONS\\fR]\n.B run\n[\\fIOPTIONS\\fR]\n\\fINAME\\fR\n"));
        CHECK(has(t, "Output format One of: yaml, json. Default: yaml.\n"));
        CHECK(has(t, "An \\fBenv\\fR var May be repeated.\n"));
        // The footer is literal, and a leading dot cannot become a roff request.
        CHECK(has(t, ".nf\ntool run x\n\\&.dangerous line\n.fi\n"));
        CHECK(has(t, ".SH DESCRIPTION\nRun a thing.\n.PP\n.RS 4\n.nf\ntool run x"));
        CHECK(has(t, ".PP\nMore about run.\n"));
        CHECK(has(t, ".SH EXAMPLES\n.PP\n.RS 4\n.nf\ntool run a\n.fi\n.RE\n"));
        // The page's own EXIT STATUS replaces the default one.
        CHECK(has(t, ".SH EXIT STATUS\n.TP\n3\nOdd.\n"));
        CHECK_FALSE(has(t, "Success."));
        CHECK(has(t, ".SH SEE ALSO\n.BR tool (1),\n"));
        CHECK_FALSE(has(t, "INHERITED"));
    }

    TEST_CASE("a verb that takes its parent's flags lists them as inherited")
    {
        auto root = tree();
        root.subcommands[0].inherits_flags = true;
        auto t = man_pages(root, settings())[1].text;
        CHECK(has(t, ".SH OPTIONS INHERITED FROM PARENT COMMANDS\n"));
        CHECK(has(t, "\\-\\-namespace"));
        CHECK_FALSE(has(t, "GLOBAL OPTIONS"));
    }

    TEST_CASE("roff_escape keeps hyphens ASCII and backslashes literal")
    {
        CHECK(roff_escape("a-b\\c") == "a\\-b\\ec");
        CHECK(roff_escape(".x") == "\\&.x");
        CHECK(roff_escape("'x") == "\\&'x");
    }

    TEST_CASE("render_prose: sections, paragraphs, tagged items and literal blocks")
    {
        std::string roff = render_prose("Intro line\nsecond line\n\nNext para.\n\nFIELDS\n* name\n  The name.\n"
                                        "* port\n  The port.\n\n    port: 80\n");
        CHECK(roff == ".SH DESCRIPTION\nIntro line\nsecond line\n.PP\nNext para.\n"
                      ".SH FIELDS\n.TP\nname\nThe name.\n.TP\nport\nThe port.\n.PP\n.RS 4\n.nf\nport: 80\n.fi\n.RE\n");
    }

    TEST_CASE("prose_page: a whole page from prose")
    {
        auto p = prose_page("tool-file.yaml", 5, "the file", "FIELDS\n* a\n  A.", settings());
        CHECK(p.file_name == "tool-file.yaml.5");
        CHECK(has(p.text, ".TH \"TOOL\\-FILE.YAML\" \"5\""));
        CHECK(has(p.text, ".SH NAME\ntool\\-file.yaml \\- the file\n.SH FIELDS\n.TP\na\nA.\n"));
    }
}
