namespace RuntimeAgent.Run;

/// <summary>
/// A container's upper, work and rootfs directories and its generated /etc files, made on the host's disk by a thread
/// that is idle while the set-up thread unshares (run -d's forked monitor: its main thread, before it writes spec.json),
/// instead of before the set-up thread exists; the set-up thread waits for <see cref="Made"/> before it mounts the root
/// (<see cref="ContainerSpec.HostFiles"/>). Only for what needs them no earlier: an overlay root without a user namespace of
/// its own (a tree snapshotter builds in rootfs, and a user namespace's owner is set, before the launch).
/// </summary>
/// <param name="directories">The spec's upper, work and rootfs paths, as CreateSpec chose them.</param>
public sealed class HostFilesLater(string dir, IReadOnlyList<string> directories, IReadOnlyList<string> etcFiles)
{
    private readonly TaskCompletionSource made = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completed once they exist; faulted with what failed (the set-up thread then fails with it).</summary>
    public Task Made => made.Task;

    /// <summary>Makes them (once); rethrows a failure after handing it to the set-up thread.</summary>
    public void Make()
    {
        try
        {
            foreach (var directory in directories) Directory.CreateDirectory(directory);
            Net.EtcFiles.Write(dir, etcFiles);
            made.TrySetResult();
        }
        catch (Exception e)
        {
            made.TrySetException(e);
            throw;
        }
    }
}
