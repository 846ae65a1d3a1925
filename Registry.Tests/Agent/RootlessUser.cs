using System.Diagnostics;

namespace Registry.Tests.Agent;

/// <summary>
/// The ordinary user the rootless tests run the agent as: made once with a subordinate range (as an administrator
/// would), the agent installed 755 where it may reach it, started with setpriv and HOME set to a test's directory.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static class RootlessUser
{
    public const string Name = "ragentless";

    /// <summary>Runs the installed agent as the user with HOME=<paramref name="home"/>; <paramref name="wrapper"/> runs first, as root.</summary>
    /// <param name="started">Told the pid of the agent (setpriv and env exec it in place) once it is started.</param>
    public static async Task<AgentResult> RunAgentAsync(string home, IEnumerable<string> args, IReadOnlyList<string>? wrapper = null, string user = Name,
        Action<int>? started = null)
    {
        var agent = await InstalledAgentAsync();
        var command = (wrapper ?? []).Concat(["setpriv", $"--reuid={user}", $"--regid={user}", "--init-groups", "env", "-u", "XDG_DATA_HOME", $"HOME={home}", agent])
            .Concat(args).ToList();
        var info = new ProcessStartInfo(command[0])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = "/",
        };
        foreach (var arg in command.Skip(1)) info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        started?.Invoke(process.Id);
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
        var copy = installed + "." + Environment.ProcessId + "." + Guid.NewGuid().ToString("N");
        File.Copy(source, copy, overwrite: true);
        File.SetUnixFileMode(copy, (UnixFileMode)0b111_101_101);
        File.Move(copy, installed, overwrite: true); // atomic: a concurrent test never execs a half-written file
        return installed;
    }

    // useradd gives a new user a subordinate range of its own (Debian's login.defs), as an administrator would.
    public static async Task<(int Uid, int Gid)> EnsureAsync()
    {
        if (!File.ReadLines("/etc/passwd").Any(l => l.StartsWith(Name + ":", StringComparison.Ordinal)))
            await Conformance.ExternalTool.RunAsync("useradd", ["-M", "-d", "/nonexistent", "-s", "/usr/sbin/nologin", Name]);
        if (!File.ReadLines("/etc/subuid").Any(l => l.StartsWith(Name + ":", StringComparison.Ordinal)))
            await Conformance.ExternalTool.RunAsync("usermod", ["--add-subuids", "300000-365535", "--add-subgids", "300000-365535", Name]);
        var fields = File.ReadLines("/etc/passwd").First(l => l.StartsWith(Name + ":", StringComparison.Ordinal)).Split(':');
        return (int.Parse(fields[2]), int.Parse(fields[3]));
    }

    public static Task ChownAsync(string path, string user = Name) => Conformance.ExternalTool.RunAsync("chown", ["-R", $"{user}:{user}", path]);

    /// <summary>A second ordinary user with no subordinate ids at all (only AgentInfoTests uses it).</summary>
    public const string WithoutRanges = "ragentnosub";

    public static async Task EnsureWithoutRangesAsync()
    {
        if (!File.ReadLines("/etc/passwd").Any(l => l.StartsWith(WithoutRanges + ":", StringComparison.Ordinal)))
            await Conformance.ExternalTool.RunAsync("useradd", ["-M", "-d", "/nonexistent", "-s", "/usr/sbin/nologin", "-K", "SUB_UID_COUNT=0", "-K", "SUB_GID_COUNT=0", WithoutRanges]);
        Assert.DoesNotContain(File.ReadLines("/etc/subuid").Concat(File.ReadLines("/etc/subgid")), l => l.StartsWith(WithoutRanges + ":", StringComparison.Ordinal));
    }

    /// <summary>The user's entries in /etc/subuid or /etc/subgid, as (start, count).</summary>
    public static List<(long Start, long Count)> SubordinateRanges(string file) =>
        File.ReadLines(file).Select(l => l.Split(':')).Where(f => f.Length == 3 && f[0] == Name)
            .Select(f => (long.Parse(f[1]), long.Parse(f[2]))).ToList();
}
