using RuntimeAgent.Build.Layers;
using RuntimeAgent.Native;

namespace RuntimeAgent.Build.Context;

/// <summary>What a COPY source path is, as the planner sees it: where its bytes are on the host and its metadata.</summary>
public sealed record SourceEntry(string HostPath, CopyKind Kind, UnixFileMode Mode, string? LinkTarget, int Uid, int Gid)
{
    /// <summary>The lstat identity of a context file, so its cached digest can be checked without a second lstat.</summary>
    public FileIdentity? Identity { get; init; }
}

/// <summary>
/// Where COPY/ADD take files from: the build context (with .dockerignore, symlinked parents refused, files owned by
/// root in the image) or the merged tree of a stage or image (<c>--from</c>; owners kept, symlinked parents resolved
/// inside that tree). Paths are relative, '/'-separated, cleaned; "" is the root.
/// </summary>
public abstract class CopySource
{
    /// <summary>True when the copied entries keep the owner they have in the source (COPY --from).</summary>
    public abstract bool KeepsOwners { get; }

    /// <summary>The entry at a path (not following a final symlink), or null when absent or ignored.</summary>
    public abstract SourceEntry? Find(string relative);

    /// <summary>The names directly inside a directory, ordinal order, ignored ones included (callers filter).</summary>
    public abstract IEnumerable<string> Children(string relative);

    public virtual bool IsExcluded(string relative) => false;

    /// <summary>True when an excluded directory must still be walked because a `!` rule may bring back something in it.</summary>
    public virtual bool WalkExcludedDirectories => false;

    /// <summary>Refuses a source whose path climbs through a symlink (context only: it might leave the context).</summary>
    public virtual string Canonical(string relative, string source) => relative;

    protected static CopyKind KindOf(uint type) => type switch
    {
        Libc.SIfDir => CopyKind.Directory,
        Libc.SIfLnk => CopyKind.Symlink,
        _ => CopyKind.File,
    };
}

/// <summary>The build context directory.</summary>
public sealed class ContextSource(string directory, IgnoreRules rules) : CopySource
{
    public string Directory => directory;
    public override bool KeepsOwners => false;
    public override bool IsExcluded(string relative) => relative.Length > 0 && rules.IsExcluded(relative);
    public override bool WalkExcludedDirectories => rules.HasExceptions;

    public override SourceEntry? Find(string relative)
    {
        var host = relative.Length == 0 ? directory : Path.Combine(directory, relative);
        Libc.FileStatus status;
        try { status = Libc.LStat(host); }
        catch (IOException) { return null; }
        var kind = KindOf(status.Type);
        return new SourceEntry(host, kind, kind == CopyKind.Symlink ? (UnixFileMode)0x1FF : (UnixFileMode)(status.Mode & 0xFFF),
                               kind == CopyKind.Symlink ? new FileInfo(host).LinkTarget : null, 0, 0)
        {
            Identity = kind == CopyKind.File ? FileIdentity.Of(status) : null,
        };
    }

    public override IEnumerable<string> Children(string relative)
    {
        // Names only (no full paths built and cut again): a cached rebuild lists every context directory it copies.
        var names = new System.IO.Enumeration.FileSystemEnumerable<string>(
            relative.Length == 0 ? directory : Path.Combine(directory, relative),
            (ref System.IO.Enumeration.FileSystemEntry entry) => entry.FileName.ToString(),
            new EnumerationOptions { RecurseSubdirectories = false, IgnoreInaccessible = false, AttributesToSkip = 0 }).ToArray();
        Array.Sort(names, StringComparer.Ordinal);
        return names;
    }

    public override string Canonical(string relative, string source)
    {
        var parts = relative.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var current = directory;
        for (var i = 0; i < parts.Length - 1; i++)
        {
            current = Path.Combine(current, parts[i]);
            if (new FileInfo(current).LinkTarget is not null)
                throw new FormatException($"{source}: goes through the symlink {Path.GetRelativePath(directory, current)}, which may leave the build context");
        }
        return relative;
    }
}

/// <summary>The merged tree of a built stage or a pulled image (<c>COPY --from</c>), read from its unpacked layers.</summary>
internal sealed class ImageSource(LayerView view) : CopySource
{
    public override bool KeepsOwners => true;

    public override SourceEntry? Find(string relative)
    {
        if (relative.Length == 0) return new SourceEntry("", CopyKind.Directory, (UnixFileMode)0x1ED, null, 0, 0);
        if (view.Find("/" + relative) is not { } entry) return null;
        var kind = KindOf(entry.Status.Type);
        return new SourceEntry(entry.HostPath, kind, (UnixFileMode)(entry.Status.Mode & 0xFFF),
                               kind == CopyKind.Symlink ? new FileInfo(entry.HostPath).LinkTarget : null, (int)entry.Status.Uid, (int)entry.Status.Gid);
    }

    public override IEnumerable<string> Children(string relative) => view.List("/" + relative);

    // Parents are resolved inside the image (e.g. /lib → usr/lib); the last element is taken as it is.
    public override string Canonical(string relative, string source)
    {
        var slash = relative.LastIndexOf('/');
        if (slash < 0) return relative;
        var parent = PathText.Clean(view.Resolve("/" + relative[..slash]));
        return parent.Length == 0 ? relative[(slash + 1)..] : parent + "/" + relative[(slash + 1)..];
    }
}
