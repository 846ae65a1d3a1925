using RuntimeAgent.Run;

namespace RuntimeAgent.Build.Mounts;

/// <summary>The host side of a RUN step's mounts, held while the step runs: spec entries, cache locks, source overlays.</summary>
internal sealed class PreparedMounts : IDisposable
{
    public List<VolumeMount> Volumes { get; } = [];
    public List<TmpfsMount> Tmpfs { get; } = [];
    /// <summary>NAME=value entries for the step's process (secrets given with env=); never in the image config.</summary>
    public List<string> Environment { get; } = [];
    public List<IDisposable> Locks { get; } = [];
    /// <summary>Overlays (bind sources) and tmpfs (secret files) mounted on the host; unmounted before the step's directory is deleted.</summary>
    public List<string> Overlays { get; } = [];

    public void Dispose()
    {
        foreach (var overlay in Overlays) SourceOverlay.Unmount(overlay);
        Overlays.Clear();
        foreach (var held in Locks) held.Dispose();
        Locks.Clear();
    }
}
