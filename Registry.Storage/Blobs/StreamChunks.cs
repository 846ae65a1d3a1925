namespace Registry.Storage.Blobs;

/// <summary>Helpers for cutting a request body of unknown length into bounded pieces.</summary>
internal static class StreamChunks
{
    /// <summary>
    /// Reads until <paramref name="buffer"/> is full or the stream ends; returns the bytes read.
    /// Object stores need each piece's length before sending it, so a piece is gathered first.
    /// </summary>
    public static async Task<int> FillAsync(Stream source, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var filled = 0;
        while (filled < buffer.Length)
        {
            var read = await source.ReadAsync(buffer[filled..], cancellationToken);
            if (read == 0) break;
            filled += read;
        }
        return filled;
    }
}
