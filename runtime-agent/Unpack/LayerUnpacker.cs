using Registry.Oci;

namespace RuntimeAgent.Unpack;

/// <summary>
/// Unpacks one layer blob (gzip, zstd or plain tar) into a new directory, verifying its diff_id and capping its
/// uncompressed size. It unpacks into a temporary sibling and renames it into place only when every entry was
/// written and the diff_id matched, so a refused layer leaves nothing behind.
/// See: https://github.com/opencontainers/image-spec/blob/main/layer.md
/// </summary>
public static class LayerUnpacker
{
    /// <summary>The default cap on a layer's uncompressed size.</summary>
    public const long DefaultMaxBytes = 8L << 30;

    public static void Unpack(string blobPath, Digest diffId, string destination, long maxBytes)
    {
        var temp = Path.Combine(Path.GetDirectoryName(destination)!, $".tmp-{Path.GetFileName(destination)}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(temp);
        try
        {
            UnpackInto(blobPath, diffId, temp, maxBytes);
            Directory.Move(temp, destination);
        }
        catch
        {
            DeleteQuietly(temp);
            throw;
        }
    }

    private static void UnpackInto(string blobPath, Digest diffId, string directory, long maxBytes)
    {
        using var blob = new FileStream(blobPath, FileMode.Open, FileAccess.Read, FileShare.Read, 0, FileOptions.SequentialScan);
        using var tar = new DigestingStream(new BufferedStream(OpenTar(blob, diffId), 1 << 20), diffId, maxBytes);
        using var root = new RootedDirectory(directory);
        var writer = new EntryWriter(root);
        try
        {
            var reader = new LayerTarReader(tar);
            while (reader.Next() is { } entry) writer.Write(entry);
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException)
        {
            throw new LayerRefusedException($"layer {diffId} is not a valid tar: {e.Message}");
        }
        var actual = tar.Finish();
        if (actual != diffId)
            throw new LayerRefusedException($"layer uncompresses to {actual}, but the image config says its diff_id is {diffId}");
        writer.FinishDirectoryTimes();
    }

    private static Stream OpenTar(FileStream blob, Digest diffId)
    {
        try
        {
            return LayerDecompression.Open(blob);
        }
        catch (InvalidDataException e)
        {
            throw new LayerRefusedException($"layer {diffId} cannot be decompressed: {e.Message}");
        }
    }

    internal static void DeleteQuietly(string directory)
    {
        try
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
