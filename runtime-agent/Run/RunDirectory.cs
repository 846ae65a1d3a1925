using static RuntimeAgent.Native.Libc;

namespace RuntimeAgent.Run;

/// <summary>
/// Removes a foreground container's directory (containers/ID) once it has exited. Every mount of the container lived in
/// its own mount namespace, gone with its last process, so nothing is mounted below it on the host and a recursive
/// delete cannot reach other data. Most containers leave only what the run itself made, and that is removed one
/// unlink or rmdir per entry; the tree is walked only when something else is left (what the container wrote).
/// </summary>
internal static class RunDirectory
{
    // The /etc files EtcFiles wrote, and overlayfs's marker of a volatile mount (work/work/incompat/volatile/dirty).
    private static readonly string[] Files = [.. Net.EtcFiles.Names, "work/work/incompat/volatile/dirty"];

    // Then the directories, children before parents.
    private static readonly string[] Directories = ["upper", "rootfs", "work/work/incompat/volatile", "work/work/incompat", "work/work", "work", ""];

    public static void Remove(string dir)
    {
        try
        {
            if (UnlinkAt(AtFdCwd, dir, AtRemoveDir) == 0) return; // a run whose scratch was a tmpfs left its directory empty
            foreach (var file in Files) UnlinkAt(AtFdCwd, Path.Join(dir, file), 0);
            RemoveEtcMountPoints(Path.Join(dir, "upper"));
            foreach (var relative in Directories)
            {
                if (UnlinkAt(AtFdCwd, Path.Join(dir, relative), AtRemoveDir) == 0) continue;
                Directory.Delete(dir, recursive: true);
                return;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"runtime-agent: could not remove {dir}: {e.Message}");
        }
    }

    /// <summary>
    /// An image without /etc (or without one of the files) gets the bind mounts' targets created in the upper dir: an
    /// etc directory and empty files. They are removed through a descriptor of upper/etc opened without following a
    /// symlink, since the upper dir's contents are the container's: an etc it turned into a symlink is left to the walk.
    /// </summary>
    private static void RemoveEtcMountPoints(string upper)
    {
        var upperFd = OpenAt(AtFdCwd, upper, OPath | ODirectory | OCloExec, 0);
        if (upperFd < 0) return;
        try
        {
            var etc = OpenAt(upperFd, "etc", OPath | ODirectory | ONoFollow | OCloExec, 0);
            if (etc < 0) return;
            foreach (var name in Net.EtcFiles.Names) UnlinkAt(etc, name, 0);
            Close(etc);
            UnlinkAt(upperFd, "etc", AtRemoveDir); // fails while the container left other files there: the walk removes them
        }
        finally
        {
            Close(upperFd);
        }
    }
}
