using static RuntimeAgent.Native.Libc;

namespace RuntimeAgent.Snapshots;

/// <summary>
/// The overlay's own xattrs, in both namespaces: a root agent's layers and upper dirs carry <c>trusted.overlay.*</c>,
/// a rootless agent's <c>user.overlay.*</c> (the kernel overlay's <c>userxattr</c> mode; an ordinary user can neither
/// read nor write trusted.*). Readers accept both; writers use the agent's own.
/// </summary>
internal static class OverlayXattrs
{
    private const string TrustedPrefix = "trusted.overlay.", UserPrefix = "user.overlay.";

    /// <summary>The opaque-directory xattr this agent writes (Unpack/EntryWriter).</summary>
    public static string OpaqueName => Run.UserNamespaces.RootlessMode.Active ? UserPrefix + "opaque" : TrustedPrefix + "opaque";

    /// <summary>An overlay bookkeeping xattr, never part of a layer's content.</summary>
    public static bool IsOverlays(string name) =>
        name.StartsWith(TrustedPrefix, StringComparison.Ordinal) || name.StartsWith(UserPrefix, StringComparison.Ordinal);

    /// <summary>The directory hides what lower layers have below it (<c>opaque=y</c> in either namespace).</summary>
    public static bool IsOpaque(string directory) =>
        GetXattr(directory, TrustedPrefix + "opaque") is [(byte)'y'] || GetXattr(directory, UserPrefix + "opaque") is [(byte)'y'];
}
