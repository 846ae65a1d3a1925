namespace RuntimeAgent.Containers.Attach;

/// <summary>
/// The last <see cref="Capacity"/> bytes a container's terminal printed, kept by the monitor so that <c>attach</c> can
/// show the recent lines first (what <c>logs --tail</c> would, without the log's framing) before going live.
/// Not thread-safe: the <see cref="AttachServer"/> guards it with its clients' lock, so a replay and the live
/// output that follows it never overlap or leave a gap.
/// </summary>
internal sealed class RecentOutput
{
    public const int Capacity = 64 * 1024;
    private readonly byte[] ring = new byte[Capacity];
    private long written;

    public void Append(ReadOnlySpan<byte> output)
    {
        if (output.Length > Capacity) output = output[^Capacity..];
        var start = (int)(written % Capacity);
        var first = Math.Min(output.Length, Capacity - start);
        output[..first].CopyTo(ring.AsSpan(start));
        output[first..].CopyTo(ring);
        written += output.Length;
    }

    /// <summary>
    /// The last <paramref name="lines"/> lines of <paramref name="earlier"/> output followed by what is kept here, a
    /// trailing unfinished one (a prompt) counting as one; fewer when fewer are there.
    /// </summary>
    public byte[] Tail(int lines, byte[] earlier)
    {
        if (lines <= 0 || written == 0 && earlier.Length == 0) return [];
        var kept = earlier.Length == 0 ? Kept() : [.. earlier, .. Kept()];
        var count = kept[^1] == (byte)'\n' ? 0 : 1;
        for (var i = kept.Length - 1; i >= 0; i--)
        {
            if (kept[i] != (byte)'\n') continue;
            if (count == lines) return kept[(i + 1)..];
            count++;
        }
        return kept;
    }

    /// <summary>Whether fewer than <paramref name="lines"/> lines are kept (or they may have been cut at the start).</summary>
    public bool HoldsFewerLinesThan(int lines)
    {
        if (lines <= 0) return false;
        if (written > Capacity) return false; // 64 KiB of this run: enough for any screen
        var count = 0;
        for (var i = 0; i < written && count < lines; i++)
            if (ring[i] == (byte)'\n') count++;
        return count < lines;
    }

    private byte[] Kept()
    {
        if (written <= Capacity) return ring[..(int)written];
        var start = (int)(written % Capacity);
        return [.. ring.AsSpan(start), .. ring.AsSpan(0, start)];
    }
}
