using System.Diagnostics;

namespace Registry.Tests.Agent;

/// <summary>
/// The agent run by an ordinary user (rootless mode): a user made by the test with subordinate ids, the agent started
/// as that user with setpriv, state in its home. It pulls an image with files of several owners and runs it: root
/// inside, the user outside, image owners kept, what it writes to a volume owned by the user on the host.
/// </summary>
[Trait("Category", "Integration")]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class RootlessTests(SnapshotImages images) : IClassFixture<SnapshotImages>, IDisposable
{
    private const string User = "ragentless";
    private readonly string home = Directory.CreateTempSubdirectory("rootless-home-").FullName;

    [Fact]
    public async Task AnOrdinaryUserPullsAndRunsAnImageWithManyOwners()
    {
        var (uid, _) = await EnsureUserAsync();
        var volume = Path.Join(home, "vol");
        Directory.CreateDirectory(volume);
        await Chown(home);
        var pull = await AsUserAsync("pull", images.Reference);
        Assert.True(pull.ExitCode == 0, pull.ToString());
        Assert.True(Directory.Exists(Path.Join(home, ".local/share/runtime-agent/layers")), "the state is not under ~/.local/share/runtime-agent");
        var run = await AsUserAsync("run", "-v", $"{volume}:/vol", images.Reference, "sh", "-c",
            "id -u; cat /proc/self/uid_map | head -1; touch /vol/made; " + SnapshotImages.Probe);
        Assert.True(run.ExitCode == 0, run.ToString());
        var lines = run.Stdout.Split('\n', 3);
        Assert.Equal("0", lines[0]);
        Assert.Equal(["0", uid.ToString(), "1"], lines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(SnapshotImages.ProbeOutput, lines[2]); // whiteout, opaque dir, hardlink, owners 1000:1001 and 7:8
        Assert.Equal(uid, FileFacts.Of(Path.Join(volume, "made")).Uid);
    }

    [Fact]
    public async Task ALimitFlagIsRefusedInOneLine()
    {
        await EnsureUserAsync();
        await Chown(home);
        var run = await AsUserAsync("run", "--memory", "64m", images.Reference, "true");
        Assert.Equal(125, run.ExitCode);
        Assert.Contains("rootless: --memory", run.Stderr);
        Assert.DoesNotContain("   at ", run.Stderr);
    }

    private async Task<AgentResult> AsUserAsync(params string[] args)
    {
        var agent = await InstalledAgentAsync();
        var info = new ProcessStartInfo("setpriv")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = "/",
        };
        foreach (var arg in new[] { $"--reuid={User}", $"--regid={User}", "--init-groups", "env", "-u", "XDG_DATA_HOME", $"HOME={home}", agent }.Concat(args))
            info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
        return new AgentResult(process.ExitCode, await stdout, await stderr);
    }

    // The binary as an administrator installs it (mode 755 in a directory everyone may search): the published one
    // may sit in a 0700 temp directory the user cannot reach.
    private static async Task<string> InstalledAgentAsync()
    {
        var source = await AgentBinary.PathAsync();
        var directory = Path.Combine(Path.GetTempPath(), "rootless-agent-bin");
        Directory.CreateDirectory(directory);
        File.SetUnixFileMode(directory, (UnixFileMode)0b111_101_101);
        var installed = Path.Combine(directory, "runtime-agent");
        var copy = installed + "." + Environment.ProcessId;
        File.Copy(source, copy, overwrite: true);
        File.SetUnixFileMode(copy, (UnixFileMode)0b111_101_101);
        File.Move(copy, installed, overwrite: true); // atomic: a concurrent test never execs a half-written file
        return installed;
    }

    // useradd gives a new user a subordinate range of its own (Debian's login.defs), as an administrator would.
    private static async Task<(int Uid, int Gid)> EnsureUserAsync()
    {
        if (!File.ReadLines("/etc/passwd").Any(l => l.StartsWith(User + ":", StringComparison.Ordinal)))
            await Conformance.ExternalTool.RunAsync("useradd", ["-M", "-d", "/nonexistent", "-s", "/usr/sbin/nologin", User]);
        if (!File.ReadLines("/etc/subuid").Any(l => l.StartsWith(User + ":", StringComparison.Ordinal)))
            await Conformance.ExternalTool.RunAsync("usermod", ["--add-subuids", "300000-365535", "--add-subgids", "300000-365535", User]);
        var fields = File.ReadLines("/etc/passwd").First(l => l.StartsWith(User + ":", StringComparison.Ordinal)).Split(':');
        return (int.Parse(fields[2]), int.Parse(fields[3]));
    }

    private Task Chown(string path) => Conformance.ExternalTool.RunAsync("chown", ["-R", $"{User}:{User}", path]);

    public void Dispose()
    {
        try
        {
            Directory.Delete(home, recursive: true);
        }
        catch (IOException) { }
    }
}
