using System.Formats.Tar;

namespace Registry.Tests.TestImages;

/// <summary>
/// One tar entry exactly as it will be written: the name is NOT normalized or checked, so hostile
/// layers (<c>../</c> paths, absolute paths, links out of the root) can be described as easily as good ones.
/// </summary>
/// <param name="Content">Opens the entry's data; null for entries without data.</param>
/// <param name="PaxAttributes">Extra PAX records (xattrs such as <c>SCHILY.xattr.user.x</c>); forces a PAX header.</param>
public sealed record TarItem(
    TarEntryType Type,
    string Name,
    string? LinkName = null,
    Func<Stream>? Content = null,
    UnixFileMode Mode = TarItem.DefaultFileMode,
    int Uid = 0,
    int Gid = 0,
    DateTimeOffset? ModificationTime = null,
    IReadOnlyDictionary<string, string>? PaxAttributes = null,
    int DeviceMajor = 0,
    int DeviceMinor = 0)
{
    public const UnixFileMode DefaultFileMode =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    public const UnixFileMode DefaultDirectoryMode = DefaultFileMode |
        UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    /// <summary>A fixed timestamp so that the same description always gives the same bytes.</summary>
    public static readonly DateTimeOffset Epoch = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
}
