using System.Text;
using RuntimeAgent.Build.Image;

namespace RuntimeAgent.Build.Context;

/// <summary>A file an ADD downloaded: where it lies and the name the URL gives it.</summary>
internal sealed record Download(string HostPath, string Name, string Url);

/// <summary>
/// The sources of an ADD from the context, sorted: URLs (downloaded now, their bytes are the key), local tar archives
/// (extracted; see <see cref="AddArchive"/>) and the rest, which are copied as COPY copies them.
/// </summary>
internal sealed record AddSources(IReadOnlyList<string> Plain, IReadOnlyList<Download> Downloads, IReadOnlyList<string> Archives, string? Scratch)
{
    public static async Task<AddSources> SortAsync(IReadOnlyList<string> sources, string? checksum, ContextSource context, BuildStore store, CancellationToken ct)
    {
        var plain = new List<string>();
        var downloads = new List<Download>();
        var archives = new List<string>();
        string? scratch = null;
        try
        {
            if (checksum is not null && (sources.Count != 1 || !AddUrl.IsUrl(sources[0])))
                throw new FormatException("--checksum applies to one URL source only");
            foreach (var source in sources)
            {
                if (AddUrl.IsUrl(source))
                {
                    var name = AddUrl.FileName(source);
                    scratch ??= store.NewTempDirectory("add");
                    var directory = Directory.CreateDirectory(Path.Join(scratch, downloads.Count.ToString())).FullName;
                    downloads.Add(new Download(await AddUrl.DownloadAsync(source, checksum, directory, ct), name, source));
                    continue;
                }
                if (source.StartsWith("<<", StringComparison.Ordinal) || PathText.EscapesRoot(source.TrimStart('/'))) { plain.Add(source); continue; }
                var matches = CopyPlanner.Matches(context, source);
                var found = matches.Where(m => context.Find(m) is { Kind: CopyKind.File } f && AddArchive.IsArchive(f.HostPath)).ToList();
                if (found.Count == 0) { plain.Add(source); continue; }
                archives.AddRange(found.Select(m => context.Find(m)!.HostPath));
                // A wildcard that also matched other files: those are copied, each by its own name.
                plain.AddRange(matches.Except(found).Select(m => "/" + m));
            }
            return new AddSources(plain, downloads, archives, scratch);
        }
        catch
        {
            if (scratch is not null) BuildStore.DeleteTree(scratch);
            throw;
        }
    }

    public bool IsEmpty => Downloads.Count == 0 && Archives.Count == 0;

    /// <summary>The key part of the downloads and archives: their bytes and where they go.</summary>
    public string Hash(string destination, FileDigestCache contextFiles)
    {
        var text = new StringBuilder();
        foreach (var download in Downloads) text.Append($"url\0{download.Url}\0{download.Name}\0{FileDigest(download.HostPath)}\n");
        foreach (var archive in Archives) text.Append($"archive\0{destination}\0{contextFiles.DigestOf(archive)}\n");
        return ShortSha256.HexOf(text.ToString());
    }

    private static string FileDigest(string path)
    {
        using var file = File.OpenRead(path);
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(file));
    }
}
