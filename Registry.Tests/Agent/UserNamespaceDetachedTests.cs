using System.Globalization;
using System.Text.Json;

namespace Registry.Tests.Agent;

/// <summary>
/// <c>run -d --userns=auto</c> of a root agent: the monitor starts the container in its user namespace, and
/// <c>exec</c> and health checks join that user namespace too (root inside is the container's range, never host
/// root) under the container's security profile; <c>rm</c> gives the range back.
/// </summary>
[Trait("Category", "Integration")]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed partial class UserNamespaceDetachedTests(SnapshotImages images) : IClassFixture<SnapshotImages>, IDisposable
{
    // CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP NET_BIND_SERVICE SYS_CHROOT SETFCAP (SecurityProfileTests)
    private const ulong DefaultCaps = 1UL << 0 | 1UL << 1 | 1UL << 3 | 1UL << 4 | 1UL << 5 | 1UL << 6 | 1UL << 7 | 1UL << 8
        | 1UL << 10 | 1UL << 18 | 1UL << 31;

    private readonly AgentRoot root = new();

    [Fact]
    public async Task ExecAndHealthChecksJoinTheContainersUserNamespace()
    {
        var name = $"u{Guid.NewGuid():N}"[..13];
        await root.RunOkAsync("run", "-d", "--userns=auto", "--name", name, "--health-cmd", "id -u; cat /proc/self/uid_map; test -e /ok",
            "--health-interval", "200ms", images.Reference, "sleep", "600");
        // Right after run -d returns: exec must already meet the container's root and PID 1, not init before its pivot.
        var containerMap = (await root.RunOkAsync("exec", name, "cat", "/proc/1/uid_map")).Stdout.Trim();
        var uidBase = uint.Parse(containerMap.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        Assert.NotEqual(0u, uidBase);

        var exec = await root.RunOkAsync("exec", name, "sh", "-c", "id -u; cat /proc/self/uid_map; cat /proc/self/status; touch /ok");
        var lines = exec.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("0", lines[0]);
        Assert.Equal(containerMap, lines[1].Trim());
        var status = Status(exec.Stdout);
        Assert.Equal(DefaultCaps, ulong.Parse(status["CapEff"], NumberStyles.HexNumber));
        Assert.Equal(DefaultCaps, ulong.Parse(status["CapBnd"], NumberStyles.HexNumber));
        Assert.Equal(0UL, ulong.Parse(status["CapAmb"], NumberStyles.HexNumber));
        Assert.Equal("2", status["Seccomp"]);
        // What exec's root wrote is owned on the host by the range's first id, as what the container's own root writes.
        var upper = Path.Join(Assert.Single(Directory.GetDirectories(Path.Join(root.Path, "containers"))), "upper");
        Assert.Equal((int)uidBase, FileFacts.Of(Path.Join(upper, "ok")).Uid);

        var other = (await root.RunOkAsync("exec", "-u", "1000", name, "sh", "-c", "id -u; cat /proc/self/status")).Stdout;
        Assert.StartsWith("1000\n", other);
        Assert.Equal(0UL, ulong.Parse(Status(other)["CapEff"], NumberStyles.HexNumber));

        var missing = await root.RunAsync("exec", name, "no-such-command");
        Assert.Equal(127, missing.ExitCode);
        Assert.DoesNotContain("   at ", missing.Stderr);

        var healthy = await WaitForHealth(name, "healthy");
        var output = healthy.GetProperty("health").GetProperty("log").EnumerateArray().Last().GetProperty("output").GetString();
        Assert.Equal($"0\n{containerMap}\n", string.Join('\n', output!.Split('\n').Select(l => l.Trim())));

        await root.RunOkAsync("rm", "-f", name);
        Assert.Empty(Directory.GetFiles(Path.Join(root.Path, "userns"), "slice-*"));
    }

    [Fact]
    public async Task ATerminalWorksInTheUserNamespaceForRunAndExec()
    {
        var agent = await AgentBinary.PathAsync();
        Directory.CreateDirectory(root.Path);
        await using (var terminal = await TmuxTerminal.StartAsync(root.Path, 100, 30, errors =>
            $"{agent} --root {root.Path} run -it --userns=auto {images.Reference} sh 2>{errors}; echo agent-exited-$?; sleep 600"))
        {
            await terminal.WaitForScreen(s => s.Contains("/ #"));
            await terminal.SendKeys("tty; echo uid=$(id -u) pts=$(stat -c %u /dev/pts/0); stty size; cat /proc/self/uid_map", "Enter");
            // uid_map is the last thing printed: wait for it, not for stty's line before it (CI once read the screen between the two).
            var screen = await terminal.WaitForScreen(s => UidMapLine().IsMatch(s));
            Assert.Contains("30 100", screen);
            Assert.Contains("/dev/pts/0", screen);
            Assert.Contains("uid=0 pts=0", screen); // the slave is the container's root's, i.e. the range's first id
            await terminal.SendKeys("exit 4", "Enter");
            await terminal.WaitForScreen(s => s.Contains("agent-exited-4"));
        }

        var name = $"u{Guid.NewGuid():N}"[..13];
        await root.RunOkAsync("run", "-d", "--userns=auto", "--name", name, images.Reference, "sleep", "600");
        await using (var terminal = await TmuxTerminal.StartAsync(root.Path, 100, 30, errors =>
            $"{agent} --root {root.Path} exec -it -u 1000 {name} sh 2>{errors}; echo exec-exited-$?; sleep 600"))
        {
            await terminal.WaitForScreen(s => s.Contains("$"));
            await terminal.SendKeys("echo uid=$(id -u) pts=$(stat -c %u $(tty)); stty size", "Enter");
            var screen = await terminal.WaitForScreen(s => s.Contains("30 100"));
            Assert.Contains("uid=1000 pts=1000", screen);
            await terminal.SendKeys("exit 6", "Enter");
            await terminal.WaitForScreen(s => s.Contains("exec-exited-6"));
        }
        await root.RunOkAsync("rm", "-f", name);
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\b0\s+[1-9][0-9]+\s+65536\b")]
    private static partial System.Text.RegularExpressions.Regex UidMapLine();

    private static Dictionary<string, string> Status(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(':', 2)).Where(p => p.Length == 2 && !p[0].Contains(' '))
            .GroupBy(p => p[0]).ToDictionary(g => g.Key, g => g.Last()[1].Trim());

    private async Task<JsonElement> WaitForHealth(string name, string wanted)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            using var document = JsonDocument.Parse((await root.RunOkAsync("inspect", name)).Stdout);
            var state = document.RootElement[0].GetProperty("state").Clone();
            if (state.TryGetProperty("health", out var health) && health.GetProperty("status").GetString() == wanted) return state;
            Assert.True(DateTime.UtcNow < deadline, $"health never became {wanted}: {state}");
            await Task.Delay(100);
        }
    }

    public void Dispose() => root.Dispose();
}
