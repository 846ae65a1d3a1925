namespace Registry.Tests.Agent;

/// <summary>
/// `exec` into a detached container runs under the container's isolation, not the agent's: the same capability sets,
/// seccomp mode and no_new_privs as the container's PID 1 (read from /proc inside), and inside its cgroup. As root
/// against the published agent.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ContainerExecTests(RunImages images) : IClassFixture<RunImages>
{
    [Theory]
    [InlineData]
    [InlineData("--cap-drop", "CHOWN", "--cap-add", "NET_ADMIN", "--security-opt", "no-new-privileges")]
    public async Task ExecdProcessHasTheContainersCapabilitiesSeccompAndNoNewPrivs(params string[] profile)
    {
        var name = RunImages.ContainerName();
        try
        {
            await images.AgentOk(["run", "-d", "--name", name, .. profile, images.Configured, "sleep", "600"]);
            var container = Status(await images.AgentOk("exec", name, "cat", "/proc/1/status"));
            var execd = Status(await images.AgentOk("exec", name, "cat", "/proc/self/status"));

            foreach (var field in new[] { "CapEff", "CapPrm", "CapBnd", "CapInh", "CapAmb", "Seccomp", "NoNewPrivs" })
                Assert.True(container[field] == execd[field], $"{field}: container {container[field]}, exec {execd[field]}");
            Assert.Equal("2", execd["Seccomp"]); // filter mode
            var agentCaps = File.ReadLines("/proc/self/status").First(l => l.StartsWith("CapEff:")).Split(':')[1].Trim();
            Assert.NotEqual(agentCaps, execd["CapEff"]);
            Assert.Equal(profile.Contains("no-new-privileges") ? "1" : "0", execd["NoNewPrivs"]);
        }
        finally
        {
            await images.Agent("rm", "-f", name);
        }
    }

    [Fact]
    public async Task ExecdProcessIsInTheContainersCgroup()
    {
        var name = RunImages.ContainerName();
        try
        {
            var id = (await images.AgentOk("run", "-d", "--name", name, images.Configured, "sleep", "600")).Stdout.Trim();
            var container = (await images.AgentOk("exec", name, "cat", "/proc/1/cgroup")).Stdout;
            var execd = (await images.AgentOk("exec", name, "sh", "-c", "cat /proc/self/cgroup; sleep 30 >/dev/null 2>&1 &")).Stdout;
            Assert.Equal(container, execd);
            Assert.Contains($"/runtime-agent/{id}", container);

            // The exec'd shell's background sleep outlived it: the host sees it in the container's cgroup beside PID 1.
            var procs = File.ReadAllText(Path.Join(Isolation.ContainerCgroups.Directory(id, "pids"), "cgroup.procs"));
            Assert.Equal(2, procs.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        }
        finally
        {
            await images.Agent("rm", "-f", name);
        }
    }

    [Fact]
    public async Task NonRootUserExecHasNoCapabilitiesAndNoGateIsLeftBehind()
    {
        var name = RunImages.ContainerName();
        try
        {
            await images.AgentOk("run", "-d", "--name", name, images.Configured, "sleep", "600");
            var execd = Status(await images.AgentOk("exec", "-u", "65534:65534", name, "cat", "/proc/self/status"));
            Assert.Equal(0UL, Convert.ToUInt64(execd["CapEff"], 16));
            Assert.Equal("2", execd["Seccomp"]);

            var missing = await images.Agent("exec", name, "no-such-command");
            Assert.Equal(127, missing.ExitCode);
            // Seen from the host once the execs are done (an exec listing /dev would see its own gate).
            var pid = (await images.InspectState(name)).GetProperty("pid").GetInt32();
            Assert.DoesNotContain(Directory.EnumerateFileSystemEntries($"/proc/{pid}/root/dev"), e => e.Contains(".runtime-agent-"));
        }
        finally
        {
            await images.Agent("rm", "-f", name);
        }
    }

    private static Dictionary<string, string> Status(AgentResult result) =>
        result.Stdout.Split('\n').Select(l => l.Split(':', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1].Trim());
}
