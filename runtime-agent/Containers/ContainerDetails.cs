using RuntimeAgent.Run;

namespace RuntimeAgent.Containers;

/// <summary>What <c>inspect</c> prints for one container: its state and the configuration it runs with.</summary>
public sealed record ContainerDetails(ContainerState State, ContainerConfigView Config, string LogPath)
{
    internal static ContainerDetails Of(ContainerStore store, ContainerState state)
    {
        var spec = ContainerSpec.Load(store.SpecPath(state.Id));
        return new ContainerDetails(state,
            new ContainerConfigView(spec.Args, spec.Env, spec.WorkingDir, spec.User, spec.Hostname, spec.ReapZombies, spec.Volumes,
                spec.LowerDirs, spec.UpperDir),
            store.LogPath(state.Id));
    }
}

/// <summary>The container's process and mounts as its spec records them.</summary>
public sealed record ContainerConfigView(
    IReadOnlyList<string> Args, IReadOnlyList<string> Env, string WorkingDir, string User, string Hostname, bool Init,
    IReadOnlyList<VolumeMount> Mounts, IReadOnlyList<string> LowerDirs, string UpperDir);
