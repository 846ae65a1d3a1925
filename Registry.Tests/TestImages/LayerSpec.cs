using System.Formats.Tar;
using System.Text;

namespace Registry.Tests.TestImages;

/// <summary>
/// Describes the entries of one image layer. The friendly methods normalize paths the way image
/// builders do (no leading <c>/</c> or <c>./</c>, directories end in <c>/</c>); <see cref="Raw"/> writes
/// any name untouched, for hostile layers. Entries are written in the order they were added.
/// </summary>
public sealed class LayerSpec
{
    private readonly List<TarItem> _items = [];

    /// <summary>How the layer blob is compressed (gzip unless told otherwise).</summary>
    public LayerCompression Compression { get; private set; } = LayerCompression.Gzip;

    /// <summary>The <c>created_by</c> text of the layer's history entry.</summary>
    public string CreatedBy { get; private set; } = "test layer";

    public IReadOnlyList<TarItem> Items => _items;

    public LayerSpec CompressedWith(LayerCompression compression) { Compression = compression; return this; }

    public LayerSpec Described(string createdBy) { CreatedBy = createdBy; return this; }

    public LayerSpec File(string path, string content, UnixFileMode mode = TarItem.DefaultFileMode,
        int uid = 0, int gid = 0, DateTimeOffset? modified = null) =>
        File(path, Encoding.UTF8.GetBytes(content), mode, uid, gid, modified);

    public LayerSpec File(string path, byte[] content, UnixFileMode mode = TarItem.DefaultFileMode,
        int uid = 0, int gid = 0, DateTimeOffset? modified = null) =>
        Raw(new TarItem(TarEntryType.RegularFile, Normalize(path), Content: () => new MemoryStream(content, false),
            Mode: mode, Uid: uid, Gid: gid, ModificationTime: modified));

    /// <summary>A file whose content comes from the host (e.g. <c>/bin/busybox</c>), read when the layer is built.</summary>
    public LayerSpec HostFile(string path, string hostPath, UnixFileMode mode) =>
        Raw(new TarItem(TarEntryType.RegularFile, Normalize(path), Content: () => System.IO.File.OpenRead(hostPath), Mode: mode));

    /// <summary>A file of <paramref name="size"/> zero bytes streamed without being held in memory (decompression bombs).</summary>
    public LayerSpec ZeroFile(string path, long size) =>
        Raw(new TarItem(TarEntryType.RegularFile, Normalize(path), Content: () => new ZeroStream(size)));

    public LayerSpec Directory(string path, UnixFileMode mode = TarItem.DefaultDirectoryMode, int uid = 0, int gid = 0,
        DateTimeOffset? modified = null) =>
        Raw(new TarItem(TarEntryType.Directory, Normalize(path).TrimEnd('/') + "/", Mode: mode, Uid: uid, Gid: gid,
            ModificationTime: modified));

    public LayerSpec Symlink(string path, string target) =>
        Raw(new TarItem(TarEntryType.SymbolicLink, Normalize(path), LinkName: target, Mode: TarItem.DefaultDirectoryMode));

    /// <summary>A hard link; <paramref name="target"/> is a path inside the layer, as tar stores it.</summary>
    public LayerSpec Hardlink(string path, string target) =>
        Raw(new TarItem(TarEntryType.HardLink, Normalize(path), LinkName: Normalize(target)));

    /// <summary>An OCI whiteout: deletes <paramref name="path"/> from the layers below.</summary>
    public LayerSpec Whiteout(string path)
    {
        var normalized = Normalize(path).TrimEnd('/');
        var slash = normalized.LastIndexOf('/');
        return Raw(new TarItem(TarEntryType.RegularFile, normalized.Insert(slash + 1, ".wh.")));
    }

    /// <summary>An OCI opaque whiteout: hides everything the layers below have in <paramref name="directory"/>.</summary>
    public LayerSpec OpaqueDirectory(string directory) =>
        Raw(new TarItem(TarEntryType.RegularFile, Normalize(directory).TrimEnd('/') + "/.wh..wh..opq"));

    /// <summary>Adds an entry exactly as given (no normalization): <c>../x</c>, <c>/etc/x</c>, devices, anything.</summary>
    public LayerSpec Raw(TarItem item) { _items.Add(item); return this; }

    private static string Normalize(string path)
    {
        var trimmed = path.TrimStart('/');
        while (trimmed.StartsWith("./", StringComparison.Ordinal)) trimmed = trimmed[2..].TrimStart('/');
        if (trimmed.Length == 0) throw new ArgumentException($"'{path}' names the layer root", nameof(path));
        return trimmed;
    }
}
