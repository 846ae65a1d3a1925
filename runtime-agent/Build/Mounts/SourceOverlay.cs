using RuntimeAgent.Native;
using RuntimeAgent.Run;

namespace RuntimeAgent.Build.Mounts;

/// <summary>
/// The merged tree of a bind mount's source (a stage's or image's unpacked layers, or the context for rw),
/// mounted on the host for the length of one RUN step: read-only, or with a throwaway upper dir when the mount is
/// rw (BuildKit discards a bind's writes too). The container's bind takes a path inside it.
/// </summary>
internal static class SourceOverlay
{
    private const int MaxMountData = 4000; // mount(2) data is one page

    public static string Mount(IReadOnlyList<string> layersTopFirst, string scratch, bool writable)
    {
        var merged = Directory.CreateDirectory(Path.Join(scratch, "merged")).FullName;
        var lowers = layersTopFirst.ToList();
        // Overlayfs wants two lowerdirs when there is no upper dir; an empty one at the bottom changes nothing.
        while (lowers.Count < (writable ? 1 : 2)) lowers.Add(Directory.CreateDirectory(Path.Join(scratch, $"empty{lowers.Count}")).FullName);
        var data = "lowerdir=" + string.Join(':', lowers);
        if (writable)
            data += $",upperdir={Directory.CreateDirectory(Path.Join(scratch, "upper")).FullName},workdir={Directory.CreateDirectory(Path.Join(scratch, "work")).FullName}";
        if (lowers.Any(l => l.Contains(',') || l.Contains(':')) || scratch.Contains(',') || scratch.Contains(':'))
            throw new IOException("a bind mount's source layers have ',' or ':' in their paths");
        if (data.Length > MaxMountData) throw new IOException($"too many layers ({lowers.Count}) for a bind mount's source");
        if (Libc.Mount("overlay", merged, "overlay", Libc.MsNodev | Libc.MsNosuid | (writable ? 0 : Libc.MsRdonly), data) != 0)
            throw new IOException($"mount the bind source overlay: {Libc.ErrorText(Libc.LastError)}");
        return merged;
    }

    public static void Unmount(string merged)
    {
        if (Libc.Umount2(merged, Libc.MntDetach) != 0)
            Console.Error.WriteLine($"runtime-agent: could not unmount {merged}: {Libc.ErrorText(Libc.LastError)}");
    }
}
