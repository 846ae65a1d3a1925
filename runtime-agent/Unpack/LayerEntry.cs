using System.Formats.Tar;

namespace RuntimeAgent.Unpack;

/// <summary>
/// One entry of a layer tar as <see cref="LayerTarReader"/> reads it: GNU long names and PAX records already
/// applied. <paramref name="Data"/> is valid until the next entry is read.
/// </summary>
internal sealed record LayerEntry(
    string Name,
    TarEntryType Type,
    string LinkName,
    uint Mode,
    int Uid,
    int Gid,
    DateTimeOffset ModificationTime,
    int DeviceMajor,
    int DeviceMinor,
    IReadOnlyList<KeyValuePair<string, byte[]>> Xattrs,
    Stream Data);
