using System.Runtime.Versioning;
using System.Text;
using System.Text.Json;
using Registry.Oci;
using RuntimeAgent.Containers;
using RuntimeAgent.Run;
using RuntimeAgent.Run.Isolation;
using RuntimeAgent.Run.UserNamespaces;

namespace Registry.Tests.Agent;

/// <summary>
/// The hand-written writers of a detached container's records (<see cref="ContainerSpecWriter"/>,
/// <see cref="ContainerStateWriter"/>) against the source-generated serializer that reads them: the same bytes, for
/// records with every property set (so a property added to the type but not to its writer fails here) and for records
/// with every optional one left out; and what they write reads back.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class ContainerJsonWriterTests
{
    [Fact]
    public void SpecWithEveryPropertySetIsWrittenAsTheSerializerWritesIt()
    {
        var spec = new ContainerSpec
        {
            Id = "c0ffee", LowerDirs = ["/l/2", "/l/1"], UpperDir = "/c/upper", WorkDir = "/c/work", RootFs = "/c/rootfs",
            Hostname = "host \"quoted\" <é>", PrivateNetwork = true, NetworkNamespace = "/proc/7/ns/net",
            Volumes = [new VolumeMount("/h", "/in", true) { Idmap = true }, new VolumeMount("/h2", "/in2", false)],
            Args = ["/bin/sh", "-c", "echo 'a+b' & exit"], Tmpfs = [new TmpfsMount("/run", 6, "size=64m,mode=1777")],
            TmpfsOnTmp = false, ReadOnlyRoot = true, Env = ["PATH=/bin", "X=ü"], WorkingDir = "/work", User = "1000:1000",
            DisposableUpper = true,
            Security = new SecurityProfile { Capabilities = ulong.MaxValue - 1, NoNewPrivileges = true, SeccompProgramPath = "/s/p", MaskKernelPaths = false },
            CgroupDirectories = ["/sys/fs/cgroup/a", "/sys/fs/cgroup/b"], ReapZombies = true, Tty = true, TerminalInput = true,
            TerminalPath = "/dev/pts/0", Snapshotter = RuntimeAgent.Snapshots.Snapshotter.Reflink,
            UserNamespace = new IdRange(100000, 200000, 65536), ReadyFd = 9,
        };
        AssertSameAsSerializer(spec);
    }

    [Fact]
    public void SpecWithOptionalPropertiesLeftOutIsWrittenAsTheSerializerWritesIt()
    {
        var spec = new ContainerSpec
        {
            Id = "c0ffee", LowerDirs = [], UpperDir = "", WorkDir = "", RootFs = "", Hostname = "", PrivateNetwork = false,
            Args = [], Env = [], WorkingDir = "/",
        };
        AssertSameAsSerializer(spec);
    }

    [Fact]
    public void StateWithEveryPropertySetIsWrittenAsTheSerializerWritesIt()
    {
        var at = new DateTimeOffset(2026, 12, 6, 0, 1, 2, 345, TimeSpan.Zero).AddTicks(6789);
        var state = new ContainerState
        {
            Id = "c0ffee", Name = "web", Image = "localhost/img:1", ImageDigest = "sha256:ab", Command = ["sh", "-c", "<x> & 'y'"],
            Created = at, Status = ContainerStatus.Running, Pid = 42, PidStartTime = ulong.MaxValue, MonitorPid = 41,
            MonitorStartTime = 7, ExitCode = 137, StartedAt = at.ToOffset(TimeSpan.FromHours(2)), FinishedAt = at.AddDays(1),
            RestartCount = 3, RestartPolicy = "on-failure:5", StopSignal = 2, StopTimeoutSeconds = 30, StopRequested = true,
            Error = "it \"failed\"\n", Hostname = "h", Network = "host", Ports = [new PortMapping("127.0.0.1", 8080, 80, "tcp"), new PortMapping("0.0.0.0", 53, 53, "udp")],
            LogMaxBytes = 1 << 20,
            Healthcheck = new HealthConfig { Test = ["CMD", "true"], Interval = 1, Timeout = 2, StartPeriod = 3, StartInterval = 4, Retries = 5 },
            HealthOnFailure = "restart",
            Health = new HealthState { Status = HealthStatus.Unhealthy, FailingStreak = 2, Log = [new HealthResult(at, at.AddSeconds(1), 1, "no\n")] },
        };
        AssertSameAsSerializer(state);
    }

    [Fact]
    public void StateWithOptionalPropertiesLeftOutIsWrittenAsTheSerializerWritesIt()
    {
        var state = new ContainerState
        {
            Id = "c0ffee", Name = "c0ffee", Image = "img", Command = [],
            Healthcheck = new HealthConfig(), // an image's check with only a test (none given here)
        };
        AssertSameAsSerializer(state);
        AssertSameAsSerializer(new ContainerState { Id = "c", Name = "c", Image = "i", Command = ["true"] });
    }

    private static void AssertSameAsSerializer(ContainerSpec spec)
    {
        var written = ContainerSpecWriter.ToUtf8(spec);
        Assert.Equal(Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(spec, RunJsonContext.Default.ContainerSpec)), Encoding.UTF8.GetString(written));
        var read = JsonSerializer.Deserialize(written, RunJsonContext.Default.ContainerSpec)!;
        Assert.Equal(written, ContainerSpecWriter.ToUtf8(read));
    }

    private static void AssertSameAsSerializer(ContainerState state)
    {
        var written = state.ToJson();
        Assert.Equal(Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(state, ContainerJsonContext.Default.ContainerState)), Encoding.UTF8.GetString(written));
        Assert.Equal(written, ContainerState.FromJson(written).ToJson());
    }
}
