namespace Registry.Tests.Agent.Isolation;

/// <summary>`run`: masked and read-only kernel paths, user seccomp profiles in Docker's JSON format, and bad flags.</summary>
[Trait("Category", "Integration")]
public sealed class MaskedPathsAndProfilesTests(IsolationImage image) : IClassFixture<IsolationImage>
{
    private const string MaskScript =
        "wc -c < /proc/keys; ls -A /proc/acpi | wc -w; ls -A /sys/firmware | wc -w;" +
        "echo h > /proc/sysrq-trigger 2>/dev/null || echo sysrq-ro; touch /proc/sys/x 2>/dev/null || echo sys-ro";

    [Fact]
    public async Task HostKernelPathsAreMaskedAndKnobsReadOnly()
    {
        var output = await image.RunOkAsync([], "sh", "-c", MaskScript);
        Assert.Equal("0\n0\n0\nsysrq-ro\nsys-ro\n", output);
    }

    [Fact]
    public async Task PrivilegedSeesTheKernelPaths()
    {
        var output = await image.RunOkAsync(["--privileged"], "sh", "-c", "ls -A /sys/firmware | wc -w");
        Assert.NotEqual("0\n", output);
    }

    [Fact]
    public async Task DockerFormatProfileIsApplied()
    {
        var profile = Path.Join(image.Root, "deny-mkdir.json");
        File.WriteAllText(profile, """
            {
              "defaultAction": "SCMP_ACT_ALLOW",
              "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
              "syscalls": [
                { "names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13 },
                { "names": ["mount"], "action": "SCMP_ACT_ERRNO", "excludes": { "caps": ["CAP_SYS_ADMIN"] } }
              ]
            }
            """);
        var result = await image.Agent("run", "--security-opt", $"seccomp={profile}", image.Reference, "sh", "-c", "mkdir /tmp/d; echo $?");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("1\n", result.Stdout);
        Assert.Contains("Permission denied", result.Stderr); // errnoRet 13, not the default EPERM
        // The rest of the profile's rules hold, and what it does not list is allowed (unlike our default).
        var probe = await image.ProbeAsync("--security-opt", $"seccomp={profile}");
        Assert.Equal("EPERM", probe["mount"]);
        Assert.Equal("OK", probe["unshare-user"]);
    }

    [Fact]
    public async Task PodmansOwnProfileRunsAContainer()
    {
        const string podman = "/usr/share/containers/seccomp.json"; // installed with podman (scripts/install-deps.sh)
        Assert.True(File.Exists(podman), $"{podman} is missing");
        var probe = await image.ProbeAsync("--security-opt", $"seccomp={podman}");
        Assert.Equal("EPERM", probe["kexec_load"]);
        Assert.Equal("EPERM", probe["open_by_handle_at"]);
    }

    [Fact]
    public async Task ExportedDefaultProfileGivenBackDeniesTheSameCalls()
    {
        // `seccomp-profile` is what a user edits and what bench/agent.sh gives runc: loaded back, it must be the same filter.
        var exported = await image.Agent("seccomp-profile");
        Assert.True(exported.ExitCode == 0, exported.ToString());
        var profile = Path.Join(image.Root, "exported-default.json");
        File.WriteAllText(profile, exported.Stdout);
        Assert.Equal(await image.ProbeAsync(), await image.ProbeAsync("--security-opt", $"seccomp={profile}"));
    }

    [Theory]
    [InlineData("--cap-add", "CAP_NOT_A_THING", "unknown capability 'CAP_NOT_A_THING'")]
    [InlineData("--security-opt", "apparmor=unconfined", "unsupported --security-opt 'apparmor=unconfined'")]
    [InlineData("--security-opt", "seccomp=/no/such/profile.json", "seccomp profile /no/such/profile.json")]
    public async Task BadSecurityFlagsFailClearlyAndLeaveNothing(string flag, string value, string message)
    {
        var result = await image.Agent("run", flag, value, image.Reference, "true");
        Assert.Equal(125, result.ExitCode);
        Assert.Contains(message, result.Stderr);
        Assert.DoesNotContain("   at ", result.Stderr); // one line, no stack trace
        Assert.False(Directory.Exists(image.ContainersDirectory) && Directory.EnumerateFileSystemEntries(image.ContainersDirectory).Any());
    }

    [Fact]
    public async Task InvalidProfileJsonFailsClearly()
    {
        var profile = Path.Join(image.Root, "broken.json");
        File.WriteAllText(profile, """{ "defaultAction": "SCMP_ACT_NOTIFY" }""");
        var result = await image.Agent("run", "--security-opt", $"seccomp={profile}", image.Reference, "true");
        Assert.Equal(125, result.ExitCode);
        Assert.Contains("is invalid: unsupported action 'SCMP_ACT_NOTIFY'", result.Stderr);
    }
}
