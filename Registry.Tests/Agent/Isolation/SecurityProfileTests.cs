using System.Globalization;

namespace Registry.Tests.Agent.Isolation;

/// <summary>
/// `run`'s default security profile against the real kernel: each escape a hostile image would try is refused
/// with its errno, the capability sets are the documented default, and each flag relaxes exactly what it says.
/// </summary>
[Trait("Category", "Integration")]
public sealed class SecurityProfileTests(IsolationImage image) : IClassFixture<IsolationImage>
{
    // CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP NET_BIND_SERVICE SYS_CHROOT SETFCAP
    private const ulong DefaultCaps = 1UL << 0 | 1UL << 1 | 1UL << 3 | 1UL << 4 | 1UL << 5 | 1UL << 6 | 1UL << 7 | 1UL << 8
        | 1UL << 10 | 1UL << 18 | 1UL << 31;
    private const int DacReadSearch = 2, NetAdmin = 12, SysModule = 16, SysRawio = 17, SysPtrace = 19, SysAdmin = 21, SysTime = 25;

    [Fact]
    public async Task DefaultProfileRefusesEachEscapeWithEperm()
    {
        var probe = await image.ProbeAsync();
        foreach (var call in new[] { "mount", "mknod", "settimeofday", "init_module", "kexec_load", "keyctl", "add_key", "bpf",
                     "perf_event_open", "unshare-user", "open_by_handle_at", "reboot", "userfaultfd" })
            Assert.True(probe.GetValueOrDefault(call) == "EPERM", $"{call}: {probe.GetValueOrDefault(call) ?? "not tried"}");
        Assert.Equal("ENOSYS", probe["clone3"]); // libc then uses clone, whose namespace flags the filter reads
    }

    [Fact]
    public async Task TheFilterItselfRefusesWhatCapabilitiesAlone_WouldAllow()
    {
        // Unconfined, only the capability set is left: a new user namespace and the keyrings need no capability.
        var probe = await image.ProbeAsync("--security-opt", "seccomp=unconfined");
        Assert.Equal("OK", probe["unshare-user"]);
        Assert.Equal("OK", probe["add_key"]);
        Assert.Equal("0", (await image.StatusAsync("--security-opt", "seccomp=unconfined"))["Seccomp"]);
    }

    [Fact]
    public async Task AllFiveCapabilitySetsAreTheDefault()
    {
        var status = await image.StatusAsync();
        Assert.Equal(DefaultCaps, Mask(status["CapEff"]));
        Assert.Equal(DefaultCaps, Mask(status["CapPrm"]));
        Assert.Equal(DefaultCaps, Mask(status["CapBnd"]));
        Assert.Equal(0UL, Mask(status["CapInh"]));
        Assert.Equal(0UL, Mask(status["CapAmb"]));
        foreach (var cap in new[] { SysAdmin, SysModule, SysTime, SysRawio, SysPtrace, NetAdmin, DacReadSearch })
            Assert.Equal(0UL, Mask(status["CapBnd"]) & (1UL << cap));
        Assert.Equal("2", status["Seccomp"]); // filter mode
        Assert.Equal("0", status["NoNewPrivs"]);
    }

    [Fact]
    public async Task NonRootUserHasNoEffectiveCapabilities()
    {
        var status = await image.StatusAsync("--user", "65534:65534");
        Assert.Equal(0UL, Mask(status["CapEff"]));
        Assert.Equal(0UL, Mask(status["CapPrm"]));
        Assert.Equal(0UL, Mask(status["CapAmb"]));
        Assert.Equal(DefaultCaps, Mask(status["CapBnd"]));
    }

    [Fact]
    public async Task CapAddGrantsExactlyOneAndCapDropRemovesIt()
    {
        var added = await image.StatusAsync("--cap-add", "NET_ADMIN");
        Assert.Equal(DefaultCaps | 1UL << NetAdmin, Mask(added["CapEff"]));
        Assert.Equal(DefaultCaps | 1UL << NetAdmin, Mask(added["CapBnd"]));
        var dropped = await image.StatusAsync("--cap-drop", "CHOWN", "--cap-drop", "cap_kill");
        Assert.Equal(DefaultCaps & ~(1UL << 0 | 1UL << 5), Mask(dropped["CapEff"]));
        Assert.Equal(0UL, Mask((await image.StatusAsync("--cap-drop", "ALL"))["CapBnd"]));
    }

    [Fact]
    public async Task PrivilegedRestoresTheAgentsFullSetWithoutFilterOrMasks()
    {
        var agentCaps = Mask(File.ReadLines("/proc/self/status").First(l => l.StartsWith("CapPrm:")).Split(':')[1].Trim());
        var status = await image.StatusAsync("--privileged");
        Assert.Equal(agentCaps, Mask(status["CapEff"]));
        Assert.Equal(agentCaps, Mask(status["CapBnd"]));
        Assert.Equal("0", status["Seccomp"]);
        var probe = await image.ProbeAsync("--privileged");
        Assert.Equal("OK", probe["mount"]);
    }

    [Fact]
    public async Task ADeviceNodeTheContainerMakesCannotBeOpenedEvenWithMknod()
    {
        var probe = await image.ProbeAsync("--cap-add", "MKNOD");
        Assert.Equal("OK", probe["mknod"]);
        Assert.Equal("EACCES", probe["open-device"]); // every filesystem of the container is nodev
        var devices = await image.RunOkAsync([], "sh", "-c", "head -c 4 /dev/zero | wc -c; echo x > /dev/null && echo null-ok");
        Assert.Equal("4\nnull-ok\n", devices);
    }

    [Fact]
    public async Task NoNewPrivilegesIsSetOnRequest()
    {
        var status = await image.StatusAsync("--security-opt", "no-new-privileges");
        Assert.Equal("1", status["NoNewPrivs"]);
        Assert.Equal("2", status["Seccomp"]);
        Assert.Equal(DefaultCaps, Mask(status["CapEff"]));
    }

    [Fact]
    public async Task InitProcessAndItsCommandRunUnderTheSameProfile()
    {
        var status = await image.StatusAsync("--init");
        Assert.Equal(DefaultCaps, Mask(status["CapEff"]));
        Assert.Equal("2", status["Seccomp"]);
        var probe = await image.ProbeAsync("--init");
        Assert.Equal("EPERM", probe["unshare-user"]);
        Assert.Equal("EPERM", probe["mount"]);
    }

    private static ulong Mask(string hex) => ulong.Parse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
}
