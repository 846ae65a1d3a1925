using RuntimeAgent.Build.Context;
using RuntimeAgent.Native;

namespace RuntimeAgent.Build.Layers;

/// <summary>An entry of the merged image tree: the host path in the layer that provides it, and its lstat.</summary>
internal sealed record LayerEntry(string HostPath, Libc.FileStatus Status)
{
    public bool IsDirectory => Status.Type == Libc.SIfDir;
    public bool IsSymlink => Status.Type == Libc.SIfLnk;
}

/// <summary>
/// Read-only lookups in the merged tree of unpacked layers (overlay form, top layer first) without mounting
/// it: a whiteout hides lower layers, an opaque directory hides what lies below it. COPY uses it to keep the
/// owner and mode of existing parent directories and to follow directory symlinks (e.g. /bin → usr/bin)
/// inside the image instead of shadowing them.
/// </summary>
internal sealed class LayerView(IReadOnlyList<string> layersTopFirst)
{
    private const int MaxSymlinkHops = 40;

    public LayerEntry? Find(string imagePath)
    {
        var relative = PathText.Clean(imagePath);
        if (relative.Length == 0) return null;
        foreach (var layer in layersTopFirst)
        {
            var host = Path.Combine(layer, relative);
            if (!Exists(host, out var status)) { if (HiddenBelow(layer, relative)) return null; continue; }
            return status.Type == Libc.SIfChr && status.RawDevice == 0 ? null : new LayerEntry(host, status);
        }
        return null;
    }

    /// <summary>Resolves every symlink along <paramref name="imagePath"/> inside the image: an absolute image path.</summary>
    public string Resolve(string imagePath, int hops = 0)
    {
        var parts = PathText.Clean(imagePath).Split('/', StringSplitOptions.RemoveEmptyEntries);
        var current = "";
        for (var i = 0; i < parts.Length; i++)
        {
            var next = current + "/" + parts[i];
            if (Find(next) is { IsSymlink: true } link)
            {
                if (hops >= MaxSymlinkHops) throw new IOException($"too many levels of symbolic links at {next} in the image");
                var target = new FileInfo(link.HostPath).LinkTarget ?? "";
                var rest = string.Join('/', parts[(i + 1)..]);
                var joined = (target.StartsWith('/') ? target : current + "/" + target) + "/" + rest;
                return Resolve(joined, hops + 1);
            }
            current = next;
        }
        return current.Length == 0 ? "/" : current;
    }

    public bool IsDirectory(string imagePath) => Find(Resolve(imagePath)) is { IsDirectory: true };

    /// <summary>The names in a directory of the merged tree: every layer's entries down to an opaque directory, minus whiteouts.</summary>
    public IEnumerable<string> List(string imagePath)
    {
        var relative = PathText.Clean(imagePath);
        var names = new SortedSet<string>(StringComparer.Ordinal);
        var hidden = new HashSet<string>(StringComparer.Ordinal);
        foreach (var layer in layersTopFirst)
        {
            var host = relative.Length == 0 ? layer : Path.Combine(layer, relative);
            if (!Exists(host, out var status)) { if (HiddenBelow(layer, relative)) break; continue; }
            if (status.Type != Libc.SIfDir) break; // a file or whiteout here hides any directory below
            foreach (var child in Directory.EnumerateFileSystemEntries(host))
            {
                var name = Path.GetFileName(child);
                if (hidden.Contains(name)) continue;
                if (Exists(child, out var childStatus) && childStatus.Type == Libc.SIfChr && childStatus.RawDevice == 0) hidden.Add(name);
                else names.Add(name);
            }
            if (relative.Length > 0 && Snapshots.OverlayXattrs.IsOpaque(host)) break;
        }
        return names;
    }

    // A layer hides everything below a path when it whites out or makes opaque any of its ancestors.
    private static bool HiddenBelow(string layer, string relative)
    {
        var slash = relative.LastIndexOf('/');
        while (slash > 0)
        {
            var ancestor = Path.Combine(layer, relative[..slash]);
            if (Exists(ancestor, out var status))
            {
                if (status.Type == Libc.SIfChr && status.RawDevice == 0) return true;
                if (status.Type == Libc.SIfDir && Snapshots.OverlayXattrs.IsOpaque(ancestor)) return true;
            }
            slash = relative.LastIndexOf('/', slash - 1);
        }
        return false;
    }

    private static bool Exists(string host, out Libc.FileStatus status)
    {
        try
        {
            status = Libc.LStat(host);
            return true;
        }
        catch (IOException)
        {
            status = default;
            return false;
        }
    }
}
