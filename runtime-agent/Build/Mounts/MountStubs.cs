using RuntimeAgent.Build.Layers;
using RuntimeAgent.Native;

namespace RuntimeAgent.Build.Mounts;

/// <summary>
/// Removes from a RUN step's upper dir what its mounts alone left there: the empty directories and files the
/// runtime made as mount points (and their new parents), and a parent the image already had that overlayfs copied
/// up only to hold one (still empty, same mode and owner). A mount is never part of the layer (BuildKit and
/// buildah leave no stub either); anything the command itself wrote stays.
/// </summary>
internal static class MountStubs
{
    public static void Remove(string upper, IEnumerable<string> targets, LayerView image)
    {
        foreach (var target in targets.Select(t => image.Resolve(t)).OrderByDescending(t => t.Length))
        {
            for (var path = target; path.Length > 1; path = Path.GetDirectoryName(path) ?? "/")
            {
                var host = upper + path;
                Libc.FileStatus status;
                try { status = Libc.LStat(host); }
                catch (IOException) { break; }
                var existing = image.Find(path);
                if (!(existing is null ? IsEmptyStub(host, status) : IsUntouchedCopy(host, status, existing.Status))) break;
                if (status.Type == Libc.SIfDir) Directory.Delete(host); else File.Delete(host);
            }
        }
    }

    private static bool IsEmptyStub(string host, Libc.FileStatus status) =>
        status.Type == Libc.SIfDir ? !Directory.EnumerateFileSystemEntries(host).Any()
        : status.Type == Libc.SIfReg && status.Size == 0;

    private static bool IsUntouchedCopy(string host, Libc.FileStatus status, Libc.FileStatus below) =>
        status.Type == Libc.SIfDir && below.Type == Libc.SIfDir && status.Mode == below.Mode && status.Uid == below.Uid
        && status.Gid == below.Gid && !Directory.EnumerateFileSystemEntries(host).Any()
        && !Snapshots.OverlayXattrs.IsOpaque(host); // an opaque one hides what lies below: the step emptied it
}
