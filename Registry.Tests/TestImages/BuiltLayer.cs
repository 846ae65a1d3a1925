using System.Formats.Tar;
using System.IO.Compression;
using Registry.Oci;

namespace Registry.Tests.TestImages;

/// <summary>A layer blob as built: the (compressed) bytes, their digest, and the diff_id of the uncompressed tar.</summary>
public sealed record BuiltLayer(byte[] Bytes, Digest Digest, Digest DiffId, long UncompressedSize,
    LayerCompression Compression, string CreatedBy)
{
    /// <summary>
    /// Writes <paramref name="spec"/> as a tar stream, compressing and hashing on the fly so a multi-GiB
    /// zero file never exists uncompressed in memory. Same spec, same bytes: timestamps default to
    /// <see cref="TarItem.Epoch"/> and the PAX headers carry no access or change times.
    /// </summary>
    public static BuiltLayer From(LayerSpec spec)
    {
        using var blob = new MemoryStream();
        Digest diffId;
        long uncompressedSize;
        using (var compressor = spec.Compression.Compress(blob))
        using (var tarHash = new HashingWriteStream(compressor))
        {
            using (var writer = new TarWriter(tarHash, TarEntryFormat.Pax, leaveOpen: true))
            {
                foreach (var item in spec.Items) Write(writer, item);
            }
            diffId = tarHash.Digest();
            uncompressedSize = tarHash.BytesWritten;
        }
        var bytes = blob.ToArray();
        return new BuiltLayer(bytes, Registry.Oci.Digest.Sha256Of(bytes), diffId, uncompressedSize, spec.Compression, spec.CreatedBy);
    }

    /// <summary>The layer's tar stream, decompressed.</summary>
    public Stream OpenTar()
    {
        var blob = new MemoryStream(Bytes, writable: false);
        return Compression switch
        {
            LayerCompression.Gzip => new GZipStream(blob, CompressionMode.Decompress),
            LayerCompression.Zstd => new ZstdSharp.DecompressionStream(blob),
            _ => blob,
        };
    }

    private static void Write(TarWriter writer, TarItem item)
    {
        // An explicit, empty-but-for-mtime attribute set keeps .NET from adding atime/ctime (now) to the header.
        var attributes = new Dictionary<string, string>(item.PaxAttributes ?? new Dictionary<string, string>());
        var entry = new PaxTarEntry(item.Type, item.Name, attributes)
        {
            Mode = item.Mode,
            Uid = item.Uid,
            Gid = item.Gid,
            ModificationTime = item.ModificationTime ?? TarItem.Epoch,
        };
        if (item.LinkName is not null) entry.LinkName = item.LinkName;
        if (item.Type is TarEntryType.CharacterDevice or TarEntryType.BlockDevice)
        {
            entry.DeviceMajor = item.DeviceMajor;
            entry.DeviceMinor = item.DeviceMinor;
        }
        using var content = item.Content?.Invoke();
        if (content is not null) entry.DataStream = content;
        writer.WriteEntry(entry);
    }
}
