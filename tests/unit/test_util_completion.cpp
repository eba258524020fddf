#include <util/completion.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

using namespace kms::util;

namespace {

FlagInfo flag(std::vector<std::string> shorts, std::vector<std::string> longs, std::string value = "",
              std::vector<std::string> choices = {})
{
    FlagInfo f;
    f.short_names = std::move(shorts);
    f.long_names = std::move(longs);
    f.value_name = std::move(value);
    f.description = "about " + f.key();
    f.group = "Options";
    f.choices = std::move(choices);
    return f;
}

// A small tree shaped like ours: global flags on the root, verbs with their own flags.
CommandInfo tree()
{
    CommandInfo root;
    root.name = "kubectl-microservice";
    root.flags = {flag({"h"}, {"help"}), flag({"n"}, {"namespace"}, "TEXT"), flag({}, {"context"}, "TEXT")};

    CommandInfo render;
    render.name = "render";
    render.description = "Render a service";
    render.inherits_flags = true;
    render.flags = {flag({"f"}, {"filename"}, "TEXT"), flag({"o"}, {"output"}, "yaml|json|dir=PATH", {"yaml", "json", "dir="}),
                    flag({}, {"env"}, "TEXT"), flag({"q"}, {"quiet"})};
    render.flags[2].repeatable = true;

    CommandInfo status;
    status.name = "status";
    status.description = "Show a service\twith a tab";
    status.args = {ArgInfo{"NAME", "The service", true, false, {}}};

    CommandInfo completion;
    completion.name = "completion";
    completion.args = {ArgInfo{"SHELL", "", true, false, {"bash", "zsh", "fish"}}};

    CommandInfo hidden;
    hidden.name = "__complete";
    hidden.hidden = true;

    root.subcommands = {render, status, completion, hidden};
    return root;
}

// Records what it was asked; answers for "context" and NAME arguments only.
class RecordingSource : public ValueSource
{
public:
    std::vector<ValueRequest> requests;

    std::optional<Completion> values(const ValueRequest& r) override
    {
        requests.push_back(r);
        if (r.flag != nullptr && r.flag->key() == "context") {
            return Completion{{"kind-dev", "prod", "kind-ci"}, directive_no_file_comp};
        }
        if (r.flag != nullptr && r.flag->key() == "filename") {
            return Completion{{"yaml", "json"}, directive_filter_file_ext};
        }
        if (r.arg != nullptr && r.arg->name == "NAME") {
            return Completion{{"api", "web"}, directive_no_file_comp};
        }
        return std::nullopt;
    }
};

std::vector<std::string> values_of(const Completion& c)
{
    std::vector<std::string> out;
    for (const auto& cand : c.candidates) {
        out.push_back(cand.substr(0, cand.find('\t')));
    }
    return out;
}

} // namespace

TEST_SUITE("util::completion")
{
    TEST_CASE("a new word after the program lists the visible verbs, never file names")
    {
        RecordingSource src;
        auto c = complete(tree(), {""}, src);
        CHECK(values_of(c) == std::vector<std::string>{"render", "status", "completion"});
        CHECK(c.directive == directive_no_file_comp);
        CHECK(c.candidates[0] == "render\tRender a service");
        // A tab inside a description would break the protocol.
        CHECK(c.candidates[1] == "status\tShow a service with a tab");
    }

    TEST_CASE("a prefix filters the verbs")
    {
        RecordingSource src;
        CHECK(values_of(complete(tree(), {"re"}, src)) == std::vector<std::string>{"render"});
        CHECK(values_of(complete(tree(), {"x"}, src)).empty());
    }

    TEST_CASE("flags of the verb and the inherited global flags, long names for --")
    {
        RecordingSource src;
        auto c = complete(tree(), {"render", "--"}, src);
        CHECK(values_of(c) == std::vector<std::string>{"--filename", "--output", "--env", "--quiet", "--help",
                                                       "--namespace", "--context"});
        CHECK(c.directive == directive_no_file_comp);
        auto shorts = values_of(complete(tree(), {"render", "-"}, src));
        CHECK(std::find(shorts.begin(), shorts.end(), "-f") != shorts.end());
        CHECK(std::find(shorts.begin(), shorts.end(), "-n") != shorts.end());
    }

    TEST_CASE("an inherited flag that the verb redefines is offered once")
    {
        RecordingSource src;
        auto root = tree();
        root.subcommands[0].flags.push_back(flag({"h"}, {"help"}));
        auto c = values_of(complete(root, {"render", "--he"}, src));
        CHECK(c == std::vector<std::string>{"--help"});
    }

    TEST_CASE("a verb that does not inherit offers only its own flags")
    {
        RecordingSource src;
        CHECK(values_of(complete(tree(), {"status", "--"}, src)).empty());
        CHECK(values_of(complete(tree(), {"--n"}, src)) == std::vector<std::string>{"--namespace"});
    }

    TEST_CASE("flags already given are not offered again unless repeatable")
    {
        RecordingSource src;
        auto c = values_of(complete(tree(), {"render", "--quiet", "--env", "A=1", "--"}, src));
        CHECK(std::find(c.begin(), c.end(), "--quiet") == c.end());
        CHECK(std::find(c.begin(), c.end(), "--env") != c.end());
    }

    TEST_CASE("the value of a flag with a fixed set comes from the set; 'dir=' asks for no space")
    {
        RecordingSource src;
        auto c = complete(tree(), {"render", "-o", ""}, src);
        CHECK(values_of(c) == std::vector<std::string>{"yaml", "json", "dir="});
        CHECK(c.directive == (directive_no_file_comp | directive_no_space));
        CHECK(values_of(complete(tree(), {"render", "-o", "j"}, src)) == std::vector<std::string>{"json"});
        CHECK(src.requests.empty());
    }

    TEST_CASE("--flag=value completes whole words, as cobra does")
    {
        RecordingSource src;
        auto c = complete(tree(), {"render", "--output=y"}, src);
        CHECK(values_of(c) == std::vector<std::string>{"--output=yaml"});
        CHECK(values_of(complete(tree(), {"--context=k"}, src)) ==
              std::vector<std::string>{"--context=kind-dev", "--context=kind-ci"});
    }

    TEST_CASE("dynamic values go to the source with the flags seen so far, filtered by the prefix")
    {
        RecordingSource src;
        auto root = tree(); // the requests point into it
        auto c = complete(root, {"-n", "ml", "render", "--context", "kind"}, src);
        CHECK(values_of(c) == std::vector<std::string>{"kind-dev", "kind-ci"});
        REQUIRE(src.requests.size() == 1);
        CHECK(src.requests[0].flag->key() == "context");
        CHECK(src.requests[0].prefix == "kind");
        CHECK(src.requests[0].command_path == std::vector<std::string>{"render"});
        CHECK(src.requests[0].flags_seen.at("namespace") == "ml");
    }

    TEST_CASE("file extensions from the source are passed through unfiltered")
    {
        RecordingSource src;
        auto c = complete(tree(), {"render", "-f", "sv"}, src);
        CHECK(values_of(c) == std::vector<std::string>{"yaml", "json"});
        CHECK(c.directive == directive_filter_file_ext);
        // An attached short value is a value, not a flag to complete.
        CHECK(complete(tree(), {"render", "-fsvc.yaml", "-o", ""}, src).candidates.size() == 3);
    }

    TEST_CASE("a flag value the source knows nothing about falls back to the shell's files")
    {
        RecordingSource src;
        auto c = complete(tree(), {"render", "--env", ""}, src);
        CHECK(c.candidates.empty());
        CHECK(c.directive == directive_default);
    }

    TEST_CASE("positional arguments: NAME from the source, a fixed set from its choices, none past the end")
    {
        RecordingSource src;
        CHECK(values_of(complete(tree(), {"status", "w"}, src)) == std::vector<std::string>{"web"});
        CHECK(values_of(complete(tree(), {"completion", ""}, src)) ==
              std::vector<std::string>{"bash", "zsh", "fish"});
        auto past = complete(tree(), {"completion", "bash", ""}, src);
        CHECK(past.candidates.empty());
        CHECK(past.directive == directive_no_file_comp);
    }

    TEST_CASE("after -- every word is positional")
    {
        RecordingSource src;
        auto root = tree();
        CHECK(values_of(complete(root, {"status", "--", "-"}, src)).empty());
        REQUIRE(src.requests.size() == 1);
        CHECK(src.requests[0].arg->name == "NAME");
    }

    TEST_CASE("hidden verbs are walked into but never offered")
    {
        RecordingSource src;
        auto c = values_of(complete(tree(), {"__"}, src));
        CHECK(c.empty());
    }

    TEST_CASE("format_completion prints one candidate a line, then the directive")
    {
        Completion c{{"render\tRender", "status"}, directive_no_file_comp};
        CHECK(format_completion(c, true) == "render\tRender\nstatus\n:4\n");
        CHECK(format_completion(c, false) == "render\nstatus\n:4\n");
        CHECK(format_completion(Completion{}, true) == ":0\n");
    }
}
