using RuntimeAgent.Build.Layers;
using RuntimeAgent.Native;

namespace RuntimeAgent.Build.Context;

/// <summary>Who owns copied files (<c>--chown</c>, default root) and which mode they get (<c>--chmod</c>, default the context's).</summary>
public sealed record CopyOwnership(int Uid, int Gid, UnixFileMode? Mode)
{
    /// <summary>True when --chown was given: it then wins over the owners a COPY --from source carries.</summary>
    public bool Explicit { get; init; }
}

/// <summary>
/// Lays a <see cref="CopyPlanner"/> plan out in a staging directory in overlay form: the layer's tree. Parent
/// directories the plan needs get the owner and mode they already have in the image, so COPY never changes them.
/// </summary>
internal static class CopyStager
{
    public static void Stage(IReadOnlyList<CopyItem> items, string staging, CopyOwnership owner, LayerView image)
    {
        foreach (var item in items)
        {
            var path = Path.Combine(staging, item.Target.TrimStart('/'));
            EnsureParents(staging, Path.GetDirectoryName(item.Target) ?? "/", image, owner);
            switch (item.Kind)
            {
                case CopyKind.Directory:
                    if (File.Exists(path) || new FileInfo(path).LinkTarget is not null) File.Delete(path);
                    Directory.CreateDirectory(path);
                    break;
                case CopyKind.File:
                    if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
                    if (item.Content is { } content) File.WriteAllBytes(path, content);
                    else File.Copy(item.SourcePath!, path, overwrite: true);
                    break;
                case CopyKind.Symlink:
                    if (File.Exists(path) || new FileInfo(path).LinkTarget is not null) File.Delete(path);
                    File.CreateSymbolicLink(path, item.LinkTarget!);
                    break;
            }
            // chown before chmod: the kernel clears setuid/setgid bits on chown, even for root.
            var (uid, gid) = owner.Explicit || item.Owner is null ? (owner.Uid, owner.Gid) : item.Owner.Value;
            Chown(path, uid, gid);
            if (item.Kind != CopyKind.Symlink) File.SetUnixFileMode(path, owner.Mode ?? item.Mode);
        }
    }

    /// <summary>Makes an image directory (and its parents) in the staging tree, with the image's owner and mode where it has them.</summary>
    public static void EnsureDirectory(string staging, string imageDirectory, LayerView image, CopyOwnership owner) =>
        EnsureParents(staging, imageDirectory, image, owner);

    private static void EnsureParents(string staging, string imageDirectory, LayerView image, CopyOwnership owner)
    {
        var current = "";
        foreach (var part in imageDirectory.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            current += "/" + part;
            var host = Path.Combine(staging, current.TrimStart('/'));
            if (Directory.Exists(host)) continue;
            Directory.CreateDirectory(host);
            if (image.Find(current) is { IsDirectory: true } existing)
            {
                Chown(host, (int)existing.Status.Uid, (int)existing.Status.Gid);
                File.SetUnixFileMode(host, (UnixFileMode)(existing.Status.Mode & 0xFFF));
            }
            else
            {
                // A directory COPY creates gets the --chown owner, as buildah and BuildKit give it (root otherwise).
                if (owner.Explicit) Chown(host, owner.Uid, owner.Gid);
                File.SetUnixFileMode(host, (UnixFileMode)0x1ED); // 0755
            }
        }
    }

    private static void Chown(string path, int uid, int gid)
    {
        if (Libc.FchownAt(Libc.AtFdCwd, path, uid, gid, Libc.AtSymlinkNoFollow) != 0)
            throw new IOException($"chown {path}: {Libc.ErrorText(Libc.LastError)}");
    }
}
