using Registry.Oci;
using RuntimeAgent.Cli;
using RuntimeAgent.Commands;
using RuntimeAgent.Run;
using RuntimeAgent.Store;
using System.CommandLine;
using System.Runtime.Versioning;

namespace Registry.Tests.Agent;

/// <summary>`run`'s pure parts: argument splitting, config merging, volumes, users, overlay options.</summary>
[SupportedOSPlatform("linux")]
public sealed class RunOptionsTests
{
    private static readonly RuntimeConfig Image = new()
    {
        Env = ["PATH=/bin", "FOO=image"], Entrypoint = ["/entry"], Cmd = ["default-arg"], WorkingDir = "/app", User = "app",
    };

    private static RootCommand Cli()
    {
        var globals = new GlobalOptions();
        var root = new RootCommand { globals.Root };
        root.Subcommands.Add(RunCommand.Create(globals));
        root.Subcommands.Add(ExecCommand.Create(globals));
        return root;
    }

    [Theory]
    [InlineData("run img sh -c ls", "run img -- sh -c ls")]
    [InlineData("--root /r run -e A=1 -v /a:/b --init img ls -l", "--root /r run -e A=1 -v /a:/b --init img -- ls -l")]
    [InlineData("run --env=A=1 img -- ls -e", "run --env=A=1 img -- ls -e")]
    [InlineData("pull img -x", "pull img -x")]
    [InlineData("exec -e A=1 web ls -l", "exec -e A=1 web -- ls -l")]
    public void EverythingAfterTheImageBelongsToTheContainer(string args, string expected) =>
        Assert.Equal(expected.Split(' '), RunCommand.SeparateContainerCommand(Cli(), args.Split(' ')));

    [Fact]
    public void ParsedCommandKeepsItsOwnOptions()
    {
        var root = Cli();
        var parse = root.Parse(RunCommand.SeparateContainerCommand(root, ["run", "-e", "A=1", "img", "sh", "-c", "echo -e x"]));
        Assert.Empty(parse.Errors);
        Assert.Equal(["sh", "-c", "echo -e x"], parse.GetValue<string[]>("command")!);
    }

    [Fact]
    public void ImageConfigAppliesWhenNothingIsOverridden()
    {
        var process = ContainerProcess.Build(Image, new RunOverrides([], null, [], null, null), "host1", _ => null);
        Assert.Equal(["/entry", "default-arg"], process.Args);
        Assert.Equal(["PATH=/bin", "HOSTNAME=host1", "FOO=image"], process.Env);
        Assert.Equal("/app", process.WorkingDir);
        Assert.Equal("app", process.User);
    }

    [Fact]
    public void OverridesReplaceCmdEnvWorkingDirAndUser()
    {
        var process = ContainerProcess.Build(Image, new RunOverrides(["x"], null, ["FOO=cli", "HOME_VAR"], "/w", "0:0"), "h",
            name => name == "HOME_VAR" ? "from-host" : null);
        Assert.Equal(["/entry", "x"], process.Args);
        Assert.Contains("FOO=cli", process.Env);
        Assert.Contains("HOME_VAR=from-host", process.Env);
        Assert.DoesNotContain("FOO=image", process.Env);
        Assert.Equal(("/w", "0:0"), (process.WorkingDir, process.User));
    }

    [Fact]
    public void EntrypointOverrideDropsTheImagesCmd()
    {
        var process = ContainerProcess.Build(Image, new RunOverrides([], "/bin/other", [], null, null), "h", _ => null);
        Assert.Equal(["/bin/other"], process.Args);
        var cleared = ContainerProcess.Build(Image, new RunOverrides(["ls"], "", [], null, null), "h", _ => null);
        Assert.Equal(["ls"], cleared.Args);
    }

    [Fact]
    public void NoCommandAtAllIsAnError()
    {
        var empty = new RuntimeConfig();
        var error = Assert.Throws<ContainerSetupException>(() => ContainerProcess.Build(empty, new RunOverrides([], null, [], null, null), "h", _ => null));
        Assert.Equal(125, error.ExitCode);
        Assert.Throws<ContainerSetupException>(() => ContainerProcess.Build(Image, new RunOverrides([], null, [], "relative", null), "h", _ => null));
    }

    [Theory]
    [InlineData("/tmp:/data", "/tmp", "/data", false)]
    [InlineData("/tmp/:/data/../mnt:ro", "/tmp", "/mnt", true)]
    [InlineData("/tmp:/data:rw", "/tmp", "/data", false)]
    public void VolumesParse(string text, string host, string container, bool readOnly) =>
        Assert.Equal(new VolumeMount(host, container, readOnly), VolumeSpec.Parse(text));

    [Theory]
    [InlineData("/tmp")]
    [InlineData("tmp:/data")]
    [InlineData("/tmp:data")]
    [InlineData("/tmp:/data:rx")]
    [InlineData("/tmp:/")]
    [InlineData("/no/such/host/dir:/data")]
    public void BadVolumesAreRefused(string text) => Assert.Throws<ContainerSetupException>(() => VolumeSpec.Parse(text));

    [Fact]
    public void UsersResolveAgainstTheContainersFiles()
    {
        var dir = Directory.CreateTempSubdirectory("agent-user-").FullName;
        try
        {
            var passwd = Path.Join(dir, "passwd");
            var group = Path.Join(dir, "group");
            File.WriteAllText(passwd, "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n");
            File.WriteAllText(group, "root:x:0:\napp:x:1000:\nextra:x:2000:app,other\nstaff:x:50:\n");
            Assert.Equal(new ContainerUser(1000, 1000, [1000, 2000], "/home/app").ToString(), ContainerUser.Resolve("app", passwd, group).ToString());
            Assert.Equal((1000u, 50u), Pick(ContainerUser.Resolve("1000:staff", passwd, group)));
            Assert.Equal((42u, 7u), Pick(ContainerUser.Resolve("42:7", passwd, group)));
            Assert.Equal("/", ContainerUser.Resolve("42", passwd, group).Home);
            Assert.Equal((0u, 0u), Pick(ContainerUser.Resolve("", passwd, group)));
            Assert.Throws<ContainerSetupException>(() => ContainerUser.Resolve("ghost", passwd, group));
            Assert.Throws<ContainerSetupException>(() => ContainerUser.Resolve("app:ghosts", passwd, group));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }

        static (uint, uint) Pick(ContainerUser user) => (user.Uid, user.Gid);
    }

    [Fact]
    public void OverlayOptionsListLayersTopFirstAndShortenLongLists()
    {
        Assert.Equal("lowerdir=/l/top:/l/base,upperdir=/c/u,workdir=/c/w",
            OverlayMount.Options(["/l/top", "/l/base"], "/c/u", "/c/w", out var relative));
        Assert.Null(relative);

        var many = Enumerable.Range(0, 50).Select(i => $"/var/lib/runtime-agent/layers/{i:x64}").ToList();
        var options = OverlayMount.Options(many, "/c/u", "/c/w", out relative);
        Assert.Equal("/var/lib/runtime-agent/layers", relative);
        Assert.StartsWith($"lowerdir={0:x64}:", options);
        Assert.Throws<ContainerSetupException>(() => OverlayMount.Options(["/l/a,b"], "/u", "/w", out _));
    }
}
