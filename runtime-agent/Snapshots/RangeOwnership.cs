using RuntimeAgent.Run.UserNamespaces;

namespace RuntimeAgent.Snapshots;

/// <summary>
/// A private tree (reflink, copy) for a <c>--userns=auto</c> container is owned by its range from the start, as the
/// overlay's idmapped layers appear to it: image id n becomes host id range+n, so root inside owns what the image's
/// root owned. An id the range does not map becomes the range's 65534 (nobody inside, as an idmapped mount shows it).
/// A file capability is namespaced (VFS_CAP_REVISION_3, with the range's first id as its root): a v2 capability,
/// which the kernel honours for the host's root only, would do nothing inside.
/// </summary>
internal sealed class RangeOwnership(IdRange range)
{
    private const uint Revision2 = 0x02000000, Revision3 = 0x03000000, RevisionMask = 0xFF000000, Overflow = 65534;

    public uint Uid(uint id) => range.HostUid + Inside(id);

    public uint Gid(uint id) => range.HostGid + Inside(id);

    /// <summary>security.capability's value for the range: v2 rewritten as v3 rooted at the range, v3 re-rooted.</summary>
    public byte[] Capability(byte[] value)
    {
        if (value.Length < 20) return value; // v1: no namespaced form
        var magic = BitConverter.ToUInt32(value, 0);
        var revision = magic & RevisionMask;
        if (revision != Revision2 && !(revision == Revision3 && value.Length >= 24)) return value;
        var v3 = new byte[24];
        BitConverter.TryWriteBytes(v3.AsSpan(0, 4), Revision3 | (magic & ~RevisionMask));
        value.AsSpan(4, 16).CopyTo(v3.AsSpan(4));
        var root = revision == Revision3 ? BitConverter.ToUInt32(value, 20) - range.HostUid : 0; // a v3 root is a host id
        BitConverter.TryWriteBytes(v3.AsSpan(20, 4), Uid(root < range.Count ? root : 0));
        return v3;
    }

    private uint Inside(uint id) => id < range.Count ? id : Math.Min(Overflow, range.Count - 1);
}
