using RuntimeAgent.Build.Image;
using RuntimeAgent.Build.Layers;
using RuntimeAgent.Build.Mounts;
using RuntimeAgent.Run;
using RuntimeAgent.Store;

namespace RuntimeAgent.Build;

/// <summary>
/// RUN: runs the command in a container made by the run side's machinery (its spec, init and namespace
/// launcher) whose lowerdirs are the stage's layers and whose upper dir is fresh; the upper dir, already in
/// overlay form, becomes the step's layer. The host network is shared (package managers need it) unless
/// the step asks for --network=none. RUN --mount entries become the spec's bind and tmpfs mounts, and their mount
/// points are taken out of the upper dir before it becomes the layer. /tmp is the image's own (no tmpfs), so what
/// the step leaves there is in its layer, as in Docker.
/// </summary>
internal sealed class RunStep(BuildStore store, string agentPath, StageGate gate, TextWriter output, Snapshots.Snapshotter? snapshotter = null)
{
    // Probed once per build, and only when a RUN step runs (a rootless agent's default is probed, see SnapshotterProbe).
    private readonly Lazy<Snapshots.Snapshotter> _snapshotter = new(() => snapshotter ?? Snapshots.SnapshotterProbe.DefaultFor(store.Layout));

    /// <summary>A step's layer is its upper dir: the tree snapshotters (reflink, copy) have none, and are refused in one line.</summary>
    public static Snapshots.Snapshotter Supported(Snapshots.Snapshotter snapshotter) => Snapshots.SnapshotterNames.BuildsTree(snapshotter)
        ? throw new FormatException($"build --snapshotter {Snapshots.SnapshotterNames.Name(snapshotter)}: a RUN step's layer is its overlay upper dir, which this snapshotter does not make; use overlay or fuse-overlayfs")
        : snapshotter;

    public async Task<LayerRecord> RunAsync(BuildStage stage, IReadOnlyList<string> argv, string where, long fixedTime, CancellationToken ct,
                                          bool privateNetwork = false, RunMountSet? mounts = null)
    {
        var layout = store.Layout;
        var id = "build-" + ContainerId.New();
        var directory = Path.Join(layout.ContainersDirectory, id);
        Directory.CreateDirectory(layout.ContainersDirectory);
        Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        try
        {
            mounts ??= RunMountSet.None;
            using var prepared = mounts.Prepare(directory);
            var lowers = stage.Layers.Select(store.LayerDirectory).Reverse().ToList();
            if (lowers.Count == 0) lowers.Add(Directory.CreateDirectory(Path.Join(directory, "empty")).FullName);
            var upper = Directory.CreateDirectory(Path.Join(directory, "upper")).FullName;
            var security = Run.Isolation.SecurityOptions.Default.Resolve(layout.SeccompDirectory); // the same profile as `run`
            var started = DateTimeOffset.UtcNow;
            var spec = new ContainerSpec
            {
                Id = id,
                LowerDirs = lowers,
                UpperDir = upper,
                WorkDir = Directory.CreateDirectory(Path.Join(directory, "work")).FullName,
                RootFs = Directory.CreateDirectory(Path.Join(directory, "rootfs")).FullName,
                Hostname = id,
                PrivateNetwork = privateNetwork, // RUN --network=none: a fresh network namespace with loopback only
                Volumes = prepared.Volumes,
                Tmpfs = prepared.Tmpfs,
                TmpfsOnTmp = false,
                Args = argv,
                Env = WithSecrets(stage.RunEnvironment(), prepared.Environment),
                WorkingDir = stage.WorkingDir,
                User = stage.Runtime.User ?? "",
                DisposableUpper = true, // read back into a layer tarball right after the command exits
                Security = security,
                Snapshotter = _snapshotter.Value,
            };
            // The container runs outside the stage gate: other stages' steps proceed meanwhile. A rootless agent's step
            // stays in the agent's cgroup, as a rootless run without limit flags does.
            var exitCode = await gate.OutsideAsync(() => Task.Run(() => Run.UserNamespaces.RootlessMode.Active
                ? Launch(spec)
                : Run.Isolation.Cgroups.ContainerCgroup.Run(id, Run.Isolation.Cgroups.ResourceLimits.Default, cgroups => Launch(spec with { CgroupDirectories = cgroups }))));
            if (exitCode != 0)
                throw new BuildFailedException($"{where}: the command exited with code {exitCode}", exitCode);

            if (!mounts.IsEmpty) MountStubs.Remove(upper, mounts.Targets, new LayerView(stage.Layers.Select(store.LayerDirectory).Reverse().ToList()));
            var blob = LayerTarWriter.Write(upper, TimestampPolicy.ChangedAfter(fixedTime, started), store.TempDirectory);
            return await store.PublishLayerAsync(blob, upper, ct);
        }
        finally
        {
            BuildStore.DeleteTree(directory);
        }
    }

    private int Launch(ContainerSpec spec)
    {
        using var root = Snapshots.RootMount.Prepare(spec); // fuse-overlayfs: its daemon, stopped after the step
        using var commandOutput = RunOutput.Open(output); // disposed first: the step's last lines are out before it returns
        return new ContainerLauncher(agentPath, TimeSpan.FromSeconds(10)).Run(spec, _ => commandOutput.CommandStarted(), commandOutput.WriteFd);
    }

    // A secret's env= variable wins over an ENV or ARG of the same name, for this step only.
    private static List<string> WithSecrets(IReadOnlyList<string> environment, IReadOnlyList<string> secrets) =>
        [.. environment.Where(e => !secrets.Any(s => e.StartsWith(s[..(s.IndexOf('=') + 1)], StringComparison.Ordinal))), .. secrets];
}
