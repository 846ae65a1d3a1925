using RuntimeAgent.Build.Image;

namespace RuntimeAgent.Build.Context;

public enum CopyKind { Directory, File, Symlink }

/// <summary>One thing COPY puts into the image: from a context path (null for a created directory) to an image path.</summary>
public sealed record CopyItem(string? SourcePath, string Target, CopyKind Kind, UnixFileMode Mode, string? LinkTarget);

/// <summary>
/// Works out what a COPY/ADD takes from the build context, Docker's way: sources are context-relative (a
/// leading '/' too), may use wildcards, never leave the context nor pass through a symlink; a directory
/// source copies its contents; the destination is a directory when it ends in '/', when there are several
/// sources or when the image already has a directory there. <c>.dockerignore</c>d files are invisible.
/// ADD behaves exactly as COPY: local archives are copied, not extracted, and URLs are refused.
/// </summary>
public static class CopyPlanner
{
    public static IReadOnlyList<CopyItem> Plan(string contextDirectory, IgnoreRules rules, IReadOnlyList<string> sources,
                                               string destination, bool destinationIsDirectoryInImage)
    {
        var matches = new List<string>();
        foreach (var source in sources)
        {
            if (source.Contains("://", StringComparison.Ordinal))
                throw new FormatException($"{source}: URLs are not supported, only files from the build context");
            if (PathText.EscapesRoot(source.TrimStart('/')))
                throw new FormatException($"{source}: outside the build context");
            var relative = PathText.Clean(source);
            var found = HasWildcard(relative) ? Glob(contextDirectory, rules, relative) : Single(contextDirectory, rules, relative);
            if (found.Count == 0) throw new FormatException($"{source}: not found in the build context (or excluded by .dockerignore)");
            foreach (var match in found) RefuseSymlinkParents(contextDirectory, match, source);
            matches.AddRange(found);
        }

        var target = "/" + PathText.Clean(destination);
        var intoDirectory = destination.EndsWith('/') || matches.Count > 1 || destinationIsDirectoryInImage;
        var items = new List<CopyItem>();
        foreach (var match in matches)
        {
            var host = Path.Combine(contextDirectory, match);
            var info = new FileInfo(host);
            if (info.LinkTarget is null && Directory.Exists(host))
            {
                items.Add(new CopyItem(host, target, CopyKind.Directory, Mode(host), null));
                AddTree(contextDirectory, rules, host, target, items);
            }
            else
            {
                var name = intoDirectory ? Join(target, Path.GetFileName(match)) : target;
                items.Add(ItemFor(host, name));
            }
        }
        return items.DistinctBy(i => i.Target).OrderBy(i => i.Target, StringComparer.Ordinal).ToList();
    }

    /// <summary>The content hash of a plan: paths, kinds, modes, link targets and file bytes (the COPY cache key part).</summary>
    public static string Hash(IReadOnlyList<CopyItem> items, FileDigestCache files)
    {
        var hash = new ShortSha256();
        foreach (var item in items)
        {
            hash.Append($"{item.Kind}\0{item.Target}\0{(int)item.Mode}\0{item.LinkTarget}\0");
            if (item.Kind == CopyKind.File) hash.Append(files.DigestOf(item.SourcePath!) + "\0");
        }
        return hash.FinishHex();
    }

    private static void AddTree(string context, IgnoreRules rules, string directory, string target, List<CopyItem> items)
    {
        foreach (var host in Directory.EnumerateFileSystemEntries(directory).Order(StringComparer.Ordinal))
        {
            var relative = Path.GetRelativePath(context, host);
            var name = Join(target, Path.GetFileName(host));
            var isDirectory = new FileInfo(host).LinkTarget is null && Directory.Exists(host);
            if (rules.IsExcluded(relative))
            {
                // An excluded directory is still walked when a `!` rule may bring back something inside it.
                if (isDirectory && rules.HasExceptions) AddTree(context, rules, host, name, items);
                continue;
            }
            if (isDirectory)
            {
                items.Add(new CopyItem(host, name, CopyKind.Directory, Mode(host), null));
                AddTree(context, rules, host, name, items);
            }
            else items.Add(ItemFor(host, name));
        }
    }

    private static CopyItem ItemFor(string host, string target)
    {
        var link = new FileInfo(host).LinkTarget;
        return link is not null
            ? new CopyItem(host, target, CopyKind.Symlink, (UnixFileMode)0x1FF, link)
            : new CopyItem(host, target, CopyKind.File, Mode(host), null);
    }

    private static List<string> Single(string context, IgnoreRules rules, string relative)
    {
        var host = Path.Combine(context, relative);
        var exists = File.Exists(host) || Directory.Exists(host) || new FileInfo(host).LinkTarget is not null;
        return exists && (relative.Length == 0 || !rules.IsExcluded(relative)) ? [relative] : [];
    }

    private static List<string> Glob(string context, IgnoreRules rules, string pattern)
    {
        var regex = IgnoreRules.ToRegex(pattern);
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = false };
        return Directory.EnumerateFileSystemEntries(context, "*", options)
            .Select(p => Path.GetRelativePath(context, p))
            .Where(r => regex.IsMatch(r) && !rules.IsExcluded(r))
            .Order(StringComparer.Ordinal).ToList();
    }

    private static void RefuseSymlinkParents(string context, string relative, string source)
    {
        var parts = relative.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var current = context;
        foreach (var part in parts[..^1])
        {
            current = Path.Combine(current, part);
            if (new FileInfo(current).LinkTarget is not null)
                throw new FormatException($"{source}: goes through the symlink {Path.GetRelativePath(context, current)}, which may leave the build context");
        }
    }

    private static bool HasWildcard(string path) => path.IndexOfAny(['*', '?', '[']) >= 0;

    private static string Join(string directory, string name) => directory == "/" ? "/" + name : directory + "/" + name;

    private static UnixFileMode Mode(string host) => File.GetUnixFileMode(host);
}
