using System.Net;
using System.Security.Cryptography;

namespace Registry.Bench;

/// <summary>
/// A request body of any length produced on the fly (never held in memory) and hashed while it is sent,
/// so a 1 GiB push costs the load generator a 1 MiB buffer. <see cref="Digest"/> is valid after sending.
/// </summary>
public sealed class GeneratedContent(long length, long salt) : HttpContent
{
    string? digest;

    public long Length => length;

    public string Digest => digest ?? throw new InvalidOperationException("the body has not been sent yet");

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        await SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken ct)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[BlobData.MiB];
        for (long sent = 0; sent < length;)
        {
            var count = (int)Math.Min(buffer.Length, length - sent);
            BlobData.Fill(buffer.AsSpan(0, count), salt, sent);
            hash.AppendData(buffer, 0, count);
            await stream.WriteAsync(buffer.AsMemory(0, count), ct);
            sent += count;
        }
        digest = "sha256:" + Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    protected override bool TryComputeLength(out long result)
    {
        result = length;
        return true;
    }
}
