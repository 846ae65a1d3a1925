using System.CommandLine;
using System.Runtime.Versioning;
using RuntimeAgent.Cli;
using RuntimeAgent.Commands;

namespace Registry.Tests.Agent;

/// <summary>
/// <c>run</c>'s hand-read fast path (<see cref="RunArguments.TryParse"/>) against System.CommandLine's parse of the
/// same command line: what it accepts it must read exactly as the full parser does, defaults included; anything
/// else it must leave to the full parser.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class RunArgumentsTests
{
    private static readonly (string Name, Func<RunArguments, object?> Value)[] Compared =
    [
        ("--root", a => a.Root), ("--net", a => a.Net), ("--stop-timeout", a => a.StopTimeout), ("--snapshotter", a => a.Snapshotter),
        ("--max-layer-size", a => a.MaxLayerSize), ("--restart", a => a.Restart), ("--cgroups", a => a.Cgroups),
        ("--detach", a => a.Detach), ("--privileged", a => a.Privileged), ("--init", a => a.Init), ("--keep", a => a.Keep),
        ("--read-only", a => a.ReadOnly), ("--quiet", a => a.Quiet), ("--name", a => a.Name), ("--user", a => a.User),
        ("--workdir", a => a.Workdir), ("--hostname", a => a.Hostname), ("--insecure", a => a.Insecure),
        ("--no-healthcheck", a => a.NoHealthcheck), ("--entrypoint", a => a.Entrypoint), ("--pids-limit", a => a.PidsLimit),
        ("--tty", a => a.Tty), ("--interactive", a => a.Interactive), ("--userns", a => a.UserNamespace),
        ("--upper", a => a.Upper),
    ];

    [Theory]
    [InlineData("run", "img")]
    [InlineData("--root", "/tmp/r", "run", "img", "/bin/true")]
    [InlineData("--root", "/tmp/r", "run", "-d", "img", "sh", "-c", "echo -x --name y")]
    [InlineData("run", "--detach", "--name", "web", "-e", "A=1", "--env", "B", "-u", "1000:1000", "-w", "/srv", "--hostname", "h", "img", "x")]
    [InlineData("run", "--privileged", "--cgroups", "disabled", "--security-opt", "seccomp=unconfined", "--security-opt", "no-new-privileges", "img")]
    [InlineData("run", "--init", "--keep", "--read-only", "-q", "--quiet", "img", "--help")]
    [InlineData("run", "--upper", "disk", "img", "/bin/true")]
    [InlineData("run", "-d", "--upper", "tmpfs", "img")]
    public void ReadsWhatItAcceptsAsTheFullParserDoes(params string[] args)
    {
        var fast = RunArguments.TryParse(args);
        Assert.NotNull(fast);
        var (root, parse) = FullParse(args);
        Assert.Empty(parse.Errors);
        var run = parse.CommandResult.Command;
        Assert.Equal("run", run.Name);
        foreach (var (name, value) in Compared)
        {
            var option = run.Options.Concat(root.Options).Single(o => o.Name == name);
            Assert.Equal(Value(parse, option), value(fast));
        }
        Assert.Equal(parse.GetValue<string>("image"), fast.Image);
        Assert.Equal(parse.GetValue<string[]>("command") ?? [], fast.Command);
        Assert.Equal(parse.GetValue<string[]>("--env") ?? [], fast.Env);
        Assert.Equal(parse.GetValue<string[]>("--security-opt") ?? [], fast.SecurityOpt);
        Assert.Equal(parse.GetValue<string[]>("--volume") ?? [], fast.Volume);
        Assert.Equal(parse.GetValue<string[]>("--cap-add") ?? [], fast.CapAdd);
    }

    [Theory]
    [InlineData("pull", "img")]
    [InlineData("run")]
    [InlineData("run", "--name=web", "img")]
    [InlineData("run", "-dq", "img")]
    [InlineData("run", "-v", "/a:/b", "img")]
    [InlineData("run", "--cgroups", "bogus", "img")]
    [InlineData("run", "--upper", "ram", "img")]
    [InlineData("run", "--name", "--privileged", "img")]
    [InlineData("run", "@args.rsp")]
    [InlineData("run", "--root", "/tmp/r", "img")]
    [InlineData("--root=/tmp/r", "run", "img")]
    [InlineData("run", "--help")]
    [InlineData("run", "-d")]
    public void LeavesEverythingElseToTheFullParser(params string[] args) => Assert.Null(RunArguments.TryParse(args));

    private static object? Value(ParseResult parse, Option option) => option switch
    {
        Option<string> o => parse.GetValue(o),
        Option<bool> o => parse.GetValue(o),
        Option<int> o => parse.GetValue(o),
        Option<long> o => parse.GetValue(o),
        Option<long?> o => parse.GetValue(o),
        _ => throw new InvalidOperationException($"no comparison for {option.Name}"),
    };

    private static (Command Root, ParseResult Parse) FullParse(string[] args)
    {
        var globals = new GlobalOptions();
        var root = AgentRootCommand.Create("test");
        root.Options.Add(globals.Root);
        root.Subcommands.Add(RunCommand.Create(globals));
        return (root, root.Parse(RunCommand.SeparateContainerCommand(root, args)));
    }
}
