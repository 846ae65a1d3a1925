using RuntimeAgent.Store;

namespace RuntimeAgent.Run.UserNamespaces;

/// <summary>
/// Hands each container a slice of 65536 host ids of the <see cref="SubordinateIds"/> pool, never one a live
/// container holds. A slice is a file <c>userns/slice-N</c> under --root naming its container; it is taken and
/// given back under <c>userns/lock</c>. A slice whose container directory is gone (removed, or left by a crash) is
/// free again, so a killed agent leaks nothing.
/// </summary>
public sealed class IdRangeAllocator(StoreLayout layout)
{
    /// <summary>Ids per container: every uid and gid an image may carry (0-65535), as podman's default maximum.</summary>
    public const uint SliceSize = 65536;

    private string Directory => Path.Join(layout.Root, "userns");

    /// <summary>Takes a free slice for <paramref name="containerId"/>, whose directory must already exist.</summary>
    public IdRange Allocate(string containerId)
    {
        using var _ = Lock();
        var uids = SubordinateIds.Pool(SubordinateIds.UidFile);
        var gids = SubordinateIds.Pool(SubordinateIds.GidFile);
        var slices = Math.Min(uids.Count, gids.Count) / SliceSize;
        var taken = Slices().Where(s => System.IO.Directory.Exists(Path.Join(layout.ContainersDirectory, s.Owner))).Select(s => s.Index).ToHashSet();
        for (uint index = 0; index < slices; index++)
        {
            if (taken.Contains(index)) continue;
            File.WriteAllText(SlicePath(index), containerId);
            return new IdRange(uids.Start + index * SliceSize, gids.Start + index * SliceSize, SliceSize);
        }
        throw new ContainerSetupException($"--userns=auto: all {slices} ranges of {SliceSize} host ids are in use by containers");
    }

    /// <summary>Gives back the slice of <paramref name="containerId"/>, if it has one.</summary>
    public void Release(string containerId)
    {
        if (!System.IO.Directory.Exists(Directory)) return;
        using var _ = Lock();
        foreach (var slice in Slices().Where(s => s.Owner == containerId)) File.Delete(SlicePath(slice.Index));
    }

    private FileLock Lock()
    {
        System.IO.Directory.CreateDirectory(Directory);
        return FileLock.AcquireAsync(Path.Join(Directory, "lock"), exclusive: true, CancellationToken.None).GetAwaiter().GetResult();
    }

    private string SlicePath(uint index) => Path.Join(Directory, $"slice-{index}");

    private IEnumerable<(uint Index, string Owner)> Slices() =>
        System.IO.Directory.EnumerateFiles(Directory, "slice-*")
            .Select(path => (Name: Path.GetFileName(path), Path: path))
            .Where(f => uint.TryParse(f.Name.AsSpan("slice-".Length), out _))
            .Select(f => (uint.Parse(f.Name.AsSpan("slice-".Length)), File.ReadAllText(f.Path).Trim()))
            .ToList();
}
