using System.Text;
using System.Text.RegularExpressions;
using RuntimeAgent.Build.Image;

namespace RuntimeAgent.Build.Context;

public enum CopyKind { Directory, File, Symlink }

/// <summary>
/// One thing COPY puts into the image: from a host path (null for inline content) to an image path. Owner null
/// means "as --chown says" (root by default); a COPY --from entry keeps the owner it had in its source.
/// </summary>
public sealed record CopyItem(string? SourcePath, string Target, CopyKind Kind, UnixFileMode Mode, string? LinkTarget)
{
    public (int Uid, int Gid)? Owner { get; init; }
    /// <summary>The source file's lstat identity when planning saw it (context files): its digest is then looked up without another lstat.</summary>
    public FileIdentity? Identity { get; init; }
    public byte[]? Content { get; init; }
}

/// <summary>The per-instruction shape of a copy: here-document sources, <c>--exclude</c> patterns, <c>--parents</c>.</summary>
public sealed record CopyShape(IReadOnlyDictionary<string, byte[]> Inline, IReadOnlyList<string> Excludes, bool Parents)
{
    public static readonly CopyShape Plain = new(new Dictionary<string, byte[]>(), [], false);
}

/// <summary>
/// Works out what a COPY/ADD takes from its source, Docker's way: sources are source-relative (a leading '/'
/// too), may use wildcards, never leave the source; a directory source copies its contents; the destination is
/// a directory when it ends in '/', when there are several sources or when the image already has a directory
/// there. <c>.dockerignore</c>d files are invisible; <c>--exclude</c> patterns drop more; <c>--parents</c> keeps
/// each source's parent directories (below a <c>/./</c> pivot when there is one).
/// </summary>
public static class CopyPlanner
{
    public static IReadOnlyList<CopyItem> Plan(CopySource from, IReadOnlyList<string> sources, string destination,
                                               bool destinationIsDirectoryInImage, CopyShape? shape = null)
    {
        shape ??= CopyShape.Plain;
        var excludes = shape.Excludes.Select(p => IgnoreRules.ToRegex(PathText.Clean(p))).ToList();
        var matches = new List<(string Relative, string Kept)>();
        var inline = new List<(string Name, byte[] Content)>();
        foreach (var source in sources)
        {
            if (source.StartsWith("<<", StringComparison.Ordinal) && shape.Inline.TryGetValue(source, out var content))
            {
                inline.Add((source.TrimStart('<', '-').Trim('"', '\''), content));
                continue;
            }
            if (source.Contains("://", StringComparison.Ordinal))
                throw new FormatException($"{source}: URLs are not supported here, only files from the build context");
            if (PathText.EscapesRoot(source.TrimStart('/')))
                throw new FormatException($"{source}: outside the build context");
            var pivot = source.IndexOf("/./", StringComparison.Ordinal);
            var relative = PathText.Clean(source);
            var found = HasWildcard(relative) ? Glob(from, relative) : Single(from, relative);
            found = found.Where(f => !Excluded(excludes, f)).ToList();
            if (found.Count == 0) throw new FormatException($"{source}: not found (or excluded by .dockerignore or --exclude)");
            var pivotDepth = pivot < 0 ? 0 : PathText.Clean(source[..pivot]).Split('/', StringSplitOptions.RemoveEmptyEntries).Length;
            foreach (var match in found)
            {
                var canonical = from.Canonical(match, source);
                matches.Add((canonical, shape.Parents ? string.Join('/', match.Split('/').Skip(pivotDepth)) : Path.GetFileName(match)));
            }
        }

        var target = "/" + PathText.Clean(destination);
        var intoDirectory = destination.EndsWith('/') || matches.Count + inline.Count > 1 || destinationIsDirectoryInImage || shape.Parents;
        var items = new List<CopyItem>();
        foreach (var (relative, kept) in matches)
        {
            var entry = from.Find(relative)!;
            if (shape.Parents) AddParents(from, relative, kept, target, items);
            if (entry.Kind == CopyKind.Directory)
            {
                // A directory source copies its contents; --parents keeps the directory itself under the target.
                var name = shape.Parents && kept.Length > 0 ? Join(target, kept) : target;
                items.Add(ItemFor(from, entry, name));
                AddTree(from, relative, name, excludes, items);
            }
            else items.Add(ItemFor(from, entry, intoDirectory ? Join(target, kept.Length > 0 ? kept : Path.GetFileName(relative)) : target));
        }
        foreach (var (name, content) in inline)
            items.Add(new CopyItem(null, intoDirectory ? Join(target, name) : target, CopyKind.File, (UnixFileMode)0x1A4, null) { Content = content });
        return items.DistinctBy(i => i.Target).OrderBy(i => i.Target, StringComparer.Ordinal).ToList();
    }

    /// <summary>The content hash of a plan: paths, kinds, modes, owners, link targets and file bytes (the COPY cache key part).</summary>
    public static string Hash(IReadOnlyList<CopyItem> items, FileDigestCache files)
    {
        // Piece by piece into the hash (no string per entry): a cached rebuild keys every file of every COPY.
        var hash = new ShortSha256();
        Span<char> number = stackalloc char[12];
        Span<char> hex = stackalloc char[64];
        foreach (var item in items)
        {
            hash.Append(item.Kind switch { CopyKind.Directory => "Directory\0", CopyKind.File => "File\0", _ => "Symlink\0" });
            hash.Append(item.Target);
            hash.Append("\0");
            ((int)item.Mode).TryFormat(number, out var length, provider: System.Globalization.CultureInfo.InvariantCulture);
            hash.Append(number[..length]);
            hash.Append("\0");
            hash.Append(item.LinkTarget.AsSpan());
            hash.Append("\0");
            if (item.Owner is { } owner) hash.Append($"({owner.Uid}, {owner.Gid})");
            hash.Append("\0");
            if (item.Content is { } content) hash.Append(ShortSha256.HexOf(Encoding.UTF8.GetString(content)));
            else if (item.Kind == CopyKind.File)
            {
                files.DigestOf(item.SourcePath!, item.Identity).FormatHex(hex);
                hash.Append(hex);
            }
            else continue;
            hash.Append("\0");
        }
        return hash.FinishHex();
    }

    private static void AddTree(CopySource from, string directory, string target, List<Regex> excludes, List<CopyItem> items)
    {
        foreach (var name in from.Children(directory))
        {
            var relative = directory.Length == 0 ? name : directory + "/" + name;
            var child = Join(target, name);
            if (from.Find(relative) is not { } entry) continue;
            var isDirectory = entry.Kind == CopyKind.Directory;
            if (from.IsExcluded(relative) || Excluded(excludes, relative))
            {
                // An excluded directory is still walked when a `!` rule may bring back something inside it.
                if (isDirectory && from.WalkExcludedDirectories) AddTree(from, relative, child, excludes, items);
                continue;
            }
            items.Add(ItemFor(from, entry, child));
            if (isDirectory) AddTree(from, relative, child, excludes, items);
        }
    }

    // --parents: the directories between the pivot and the source, with the source's own metadata.
    private static void AddParents(CopySource from, string relative, string kept, string target, List<CopyItem> items)
    {
        var keptParts = kept.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var skipped = relative.Split('/').Length - keptParts.Length;
        var sourceParts = relative.Split('/');
        for (var i = 1; i < keptParts.Length; i++)
            if (from.Find(string.Join('/', sourceParts[..(skipped + i)])) is { } parent)
                items.Add(ItemFor(from, parent, Join(target, string.Join('/', keptParts[..i]))));
    }

    private static CopyItem ItemFor(CopySource from, SourceEntry entry, string target) =>
        new(entry.HostPath.Length == 0 ? null : entry.HostPath, target, entry.Kind, entry.Mode, entry.LinkTarget)
        {
            Owner = from.KeepsOwners ? (entry.Uid, entry.Gid) : null,
            Identity = entry.Identity,
        };

    /// <summary>The source-relative paths a COPY source names (one, or a wildcard's matches); none when absent or ignored.</summary>
    public static IReadOnlyList<string> Matches(CopySource from, string source)
    {
        var relative = PathText.Clean(source);
        return HasWildcard(relative) ? Glob(from, relative) : Single(from, relative);
    }

    private static List<string> Single(CopySource from, string relative) =>
        from.Find(relative) is not null && !from.IsExcluded(relative) ? [relative] : [];

    private static List<string> Glob(CopySource from, string pattern)
    {
        var regex = IgnoreRules.ToRegex(pattern);
        var depth = pattern.Contains("**", StringComparison.Ordinal) ? int.MaxValue : pattern.Split('/').Length;
        var found = new List<string>();
        void Walk(string directory, int level)
        {
            foreach (var name in from.Children(directory))
            {
                var relative = directory.Length == 0 ? name : directory + "/" + name;
                if ((level == depth || depth == int.MaxValue) && regex.IsMatch(relative) && !from.IsExcluded(relative)) found.Add(relative);
                if (level == depth) continue;
                if (from.Find(relative) is { Kind: CopyKind.Directory }) Walk(relative, level + 1);
            }
        }
        Walk("", 1);
        return found;
    }

    private static bool Excluded(List<Regex> excludes, string relative) =>
        excludes.Any(e => e.IsMatch(relative) || e.IsMatch(Path.GetFileName(relative)));

    private static bool HasWildcard(string path) => path.IndexOfAny(['*', '?', '[']) >= 0;

    private static string Join(string directory, string name) => directory == "/" ? "/" + name : directory + "/" + name;
}
