using RuntimeAgent.Build.Image;
using RuntimeAgent.Build.Layers;
using RuntimeAgent.Run;
using RuntimeAgent.Store;

namespace RuntimeAgent.Build;

/// <summary>
/// RUN: runs the command in a container made by the run side's machinery (its spec, init and namespace
/// launcher) whose lowerdirs are the stage's layers and whose upper dir is fresh; the upper dir, already in
/// overlay form, becomes the step's layer. The host network is shared (package managers need it) unless
/// the step asks for --network=none.
/// </summary>
internal sealed class RunStep(BuildStore store, string agentPath)
{
    public async Task<LayerRecord> RunAsync(BuildStage stage, IReadOnlyList<string> argv, string where, long fixedTime, CancellationToken ct,
                                          bool privateNetwork = false)
    {
        var layout = store.Layout;
        var id = "build-" + ContainerId.New();
        var directory = Path.Join(layout.ContainersDirectory, id);
        Directory.CreateDirectory(layout.ContainersDirectory);
        Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        try
        {
            var lowers = stage.Layers.Select(store.LayerDirectory).Reverse().ToList();
            if (lowers.Count == 0) lowers.Add(Directory.CreateDirectory(Path.Join(directory, "empty")).FullName);
            var upper = Directory.CreateDirectory(Path.Join(directory, "upper")).FullName;
            var security = Run.Isolation.SecurityOptions.Default.Resolve(layout.SeccompDirectory); // the same profile as `run`
            var started = DateTimeOffset.UtcNow;
            Console.Out.Flush();
            var exitCode = Run.Isolation.Cgroups.ContainerCgroup.Run(id, Run.Isolation.Cgroups.ResourceLimits.Default, cgroups => new ContainerLauncher(agentPath, TimeSpan.FromSeconds(10)).Run(new ContainerSpec
            {
                Id = id,
                LowerDirs = lowers,
                UpperDir = upper,
                WorkDir = Directory.CreateDirectory(Path.Join(directory, "work")).FullName,
                RootFs = Directory.CreateDirectory(Path.Join(directory, "rootfs")).FullName,
                Hostname = id,
                PrivateNetwork = privateNetwork, // RUN --network=none: a fresh network namespace with loopback only
                Args = argv,
                Env = stage.RunEnvironment(),
                WorkingDir = stage.WorkingDir,
                User = stage.Runtime.User ?? "",
                DisposableUpper = true, // read back into a layer tarball right after the command exits
                Security = security,
                CgroupDirectories = cgroups,
            }));
            if (exitCode != 0)
                throw new BuildFailedException($"{where}: the command exited with code {exitCode}", exitCode);

            DropRuntimeMountPoint(upper, "tmp", new LayerView(stage.Layers.Select(store.LayerDirectory).Reverse().ToList()));
            var blob = LayerTarWriter.Write(upper, TimestampPolicy.ChangedAfter(fixedTime, started), store.TempDirectory);
            return await store.PublishLayerAsync(blob, upper, ct);
        }
        finally
        {
            BuildStore.DeleteTree(directory);
        }
    }

    // The run side mounts a tmpfs on /tmp and creates its mount point when the image has none; that empty
    // directory is the runtime's, not the step's, so it does not go into the layer (buildah and BuildKit add none).
    private static void DropRuntimeMountPoint(string upper, string name, LayerView image)
    {
        var path = Path.Join(upper, name);
        if (image.Find("/" + name) is null && Directory.Exists(path) && !Directory.EnumerateFileSystemEntries(path).Any()) Directory.Delete(path);
    }
}
