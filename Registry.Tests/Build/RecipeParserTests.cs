using System.Runtime.Versioning;
using RuntimeAgent.Build;
using RuntimeAgent.Build.Recipe;

namespace Registry.Tests.Build;

[SupportedOSPlatform("linux")]
public sealed class RecipeParserTests
{
    private static IReadOnlyList<Instruction> Parse(string text) => RecipeParser.Parse(text, "Recipe").Instructions;

    [Fact]
    public void ParsesEveryInstructionWithItsLine()
    {
        var instructions = Parse("""
            # a comment
            ARG BASE=busybox
            FROM ${BASE} AS build
            RUN echo hi
            RUN ["/bin/echo", "exec form"]
            COPY --chown=10:20 a b /dst/
            ADD x.tar /opt/
            ENV A=1 B="two words"
            ENV LEGACY value with spaces
            ARG VERSION
            WORKDIR /app
            USER 1000:1000
            ENTRYPOINT ["/bin/sh", "-c"]
            CMD echo done
            LABEL org.example.a=b "quoted key"=v
            EXPOSE 80 443/tcp
            VOLUME ["/data", "/logs"]
            VOLUME /cache
            """);

        Assert.Equal(
            ["ARG", "FROM", "RUN", "RUN", "COPY", "ADD", "ENV", "ENV", "ARG", "WORKDIR", "USER", "ENTRYPOINT", "CMD", "LABEL", "EXPOSE", "VOLUME", "VOLUME"],
            instructions.Select(i => i.Keyword));
        Assert.Equal(2, instructions[0].Location.Line);
        var from = Assert.IsType<FromInstruction>(instructions[1]);
        Assert.Equal(("${BASE}", "build"), (from.Image, from.StageName));
        Assert.Equal("echo hi", Assert.IsType<RunInstruction>(instructions[2]).Command.Shell);
        Assert.Equal(["/bin/echo", "exec form"], Assert.IsType<RunInstruction>(instructions[3]).Command.Exec!);
        var copy = Assert.IsType<CopyInstruction>(instructions[4]);
        Assert.Equal(("10:20", "/dst/"), (copy.Chown, copy.Destination));
        Assert.Equal(["a", "b"], copy.Sources);
        Assert.True(Assert.IsType<CopyInstruction>(instructions[5]).IsAdd);
        Assert.Equal([new RawPair("A", "1"), new RawPair("B", "\"two words\"")], Assert.IsType<EnvInstruction>(instructions[6]).Pairs);
        Assert.Equal([new RawPair("LEGACY", "value with spaces")], Assert.IsType<EnvInstruction>(instructions[7]).Pairs);
        var arg = Assert.IsType<ArgInstruction>(instructions[8]);
        Assert.Equal(("VERSION", null), (arg.Name, arg.Default));
        Assert.Equal(["/bin/sh", "-c", "echo done"], Assert.IsType<CmdInstruction>(instructions[12]).Command.ToArgv());
        Assert.Equal(["/data", "/logs"], Assert.IsType<VolumeInstruction>(instructions[15]).Paths);
        Assert.Equal(18, instructions[16].Location.Line);
    }

    [Fact]
    public void JoinsContinuationsAndSkipsCommentsInsideThem()
    {
        var instructions = Parse("FROM scratch\nRUN echo a \\\n# inside\n\n    && echo b\nCMD x");
        var run = Assert.IsType<RunInstruction>(instructions[1]);
        Assert.Equal("echo a     && echo b", run.Command.Shell);
        Assert.Equal(2, run.Location.Line);
        Assert.Equal(6, instructions[2].Location.Line);
    }

    [Fact]
    public void EscapeDirectiveChangesTheContinuationCharacter()
    {
        var recipe = RecipeParser.Parse("# escape=`\nFROM scratch\nRUN dir c:\\ `\n  /w", "Recipe");
        Assert.Equal('`', recipe.Escape);
        Assert.Equal("dir c:\\   /w", Assert.IsType<RunInstruction>(recipe.Instructions[1]).Command.Shell);
    }

    [Fact]
    public void BrokenJsonIsShellForm()
    {
        var run = Assert.IsType<RunInstruction>(Parse("FROM scratch\nRUN [\"a\", 1]")[1]);
        Assert.Equal("[\"a\", 1]", run.Command.Shell);
    }

    [Fact]
    public void KeywordsAreCaseInsensitive() =>
        Assert.IsType<RunInstruction>(Parse("from scratch\nrun true")[1]);

    [Theory]
    [InlineData("FROM scratch\nFROBNICATE x", 2, "FROBNICATE", "unknown instruction")]
    [InlineData("FROM scratch\n\n  HEALTHCHECK NONE extra", 3, "HEALTHCHECK", "HEALTHCHECK NONE takes no arguments")]
    [InlineData("RUN true", 1, "RUN", "first instruction must be FROM")]
    [InlineData("FROM scratch\nCOPY onlyone", 2, "COPY", "source and a destination")]
    [InlineData("FROM scratch\nCOPY --frob=x a b", 2, "COPY", "unsupported flag --frob")]
    [InlineData("FROM scratch\nCOPY --from= a b", 2, "COPY", "--from needs a value")]
    [InlineData("FROM scratch\nRUN --network=bridge true", 2, "RUN", "expected --network=none, host or default")]
    [InlineData("FROM scratch\nSHELL /bin/bash -c", 2, "SHELL", "expected a JSON array")]
    [InlineData("FROM scratch AS a\nFROM scratch AS a", 2, "FROM", "already used")]
    [InlineData("FROM scratch\nRUN <<EOF\n#!/usr/bin/env python3\nprint(1)\nEOF", 2, "RUN", "#! line is not supported")]
    [InlineData("FROM scratch\nENV", 2, "ENV", "at least one argument")]
    [InlineData("FROM scratch\nLABEL novalue", 2, "LABEL", "KEY=VALUE")]
    [InlineData("FROM a b", 1, "FROM", "FROM [--platform=P] IMAGE [AS NAME]")]
    [InlineData("FROM scratch\nARG 1X=2", 2, "ARG", "invalid ARG name")]
    [InlineData("FROM scratch\nENV A=\"open", 2, "ENV", "unterminated double quote")]
    public void RejectsWithFileLineAndInstruction(string text, int line, string keyword, string problem)
    {
        var error = Assert.Throws<RecipeException>(() => StagePlan.Of(RecipeParser.Parse(text, "ctx/Recipe")));
        Assert.Equal(new SourceLocation("ctx/Recipe", line), error.Location);
        Assert.Equal(keyword, error.Instruction);
        Assert.StartsWith($"ctx/Recipe:{line}: {keyword}: ", error.Message);
        Assert.Contains(problem, error.Message);
    }

    [Fact]
    public void HeredocsKeepTheirBodiesVerbatimAndRunAsAScriptOrThroughTheShell()
    {
        var instructions = Parse("FROM scratch\nRUN <<EOF\n# not a comment here\n\necho $HOME\nEOF\n" +
                                 "RUN cat <<-A > /a && cat <<'B' > /b\n\tindented\n\tA\n$literal\nB\n" +
                                 "COPY <<one <<\"two\" /dst/\n1\none\n2\ntwo\nRUN after");
        Assert.Equal(["FROM", "RUN", "RUN", "COPY", "RUN"], instructions.Select(i => i.Keyword));
        Assert.Equal("# not a comment here\n\necho $HOME\n", Assert.IsType<RunInstruction>(instructions[1]).Command.Shell);
        Assert.Equal("cat <<-A > /a && cat <<'B' > /b\nindented\nA\n$literal\nB", Assert.IsType<RunInstruction>(instructions[2]).Command.Shell);
        var copy = Assert.IsType<CopyInstruction>(instructions[3]);
        Assert.Equal(["<<one", "<<\"two\""], copy.Sources);
        Assert.Equal([("one", "1\n", true), ("two", "2\n", false)], copy.Heredocs.Select(h => (h.Name, h.Content, h.Expand)));
        Assert.Contains("1\none", copy.Text); // the body is part of the cache key
        Assert.Equal(17, instructions[4].Location.Line);
    }

    [Fact]
    public void FlagsOfCopyRunAndFromAreParsed()
    {
        var instructions = Parse("FROM --platform=$BUILDPLATFORM busybox AS b\n" +
                                 "COPY --from=b --link --parents --exclude=*.md --exclude=x --chown=1:2 a/./b c /d/\n" +
                                 "RUN --mount=type=cache,target=/c --network=none make\n" +
                                 "HEALTHCHECK --interval=5s --retries=2 CMD [\"true\"]\nONBUILD RUN echo hi\nSTOPSIGNAL SIGKILL\nSHELL [\"/bin/bash\", \"-c\"]");
        Assert.Equal("$BUILDPLATFORM", Assert.IsType<FromInstruction>(instructions[0]).Platform);
        var copy = Assert.IsType<CopyInstruction>(instructions[1]);
        Assert.Equal(("b", true, true, "1:2"), (copy.From, copy.Link, copy.Parents, copy.Chown));
        Assert.Equal(["*.md", "x"], copy.Excludes);
        var run = Assert.IsType<RunInstruction>(instructions[2]);
        Assert.Equal(["type=cache,target=/c"], run.Mounts);
        Assert.Equal(("none", "make"), (run.Network, run.Command.Shell));
        var health = Assert.IsType<HealthcheckInstruction>(instructions[3]);
        Assert.Equal(["true"], health.Test!.Exec!);
        Assert.Equal(("5s", "2"), (health.Options["interval"], health.Options["retries"]));
        Assert.Equal("RUN echo hi", Assert.IsType<OnBuildInstruction>(instructions[4]).Trigger);
        Assert.Equal(["/bin/bash", "-c", "x"], Assert.IsType<ShellInstruction>(instructions[6]).Shell.Append("x"));
    }
}
