using RuntimeAgent.Run;

namespace RuntimeAgent.Build.Mounts;

/// <summary>The host side of a RUN step's mounts, held while the step runs: spec entries, cache locks, source overlays.</summary>
internal sealed class PreparedMounts : IDisposable
{
    public List<VolumeMount> Volumes { get; } = [];
    public List<TmpfsMount> Tmpfs { get; } = [];
    public List<IDisposable> Locks { get; } = [];
    /// <summary>Overlays mounted on the host for bind sources; unmounted before the step's directory is deleted.</summary>
    public List<string> Overlays { get; } = [];

    public void Dispose()
    {
        foreach (var overlay in Overlays) SourceOverlay.Unmount(overlay);
        Overlays.Clear();
        foreach (var held in Locks) held.Dispose();
        Locks.Clear();
    }
}
