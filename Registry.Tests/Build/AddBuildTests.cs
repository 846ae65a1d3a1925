using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Registry.Tests.Conformance;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Build;

/// <summary>
/// ADD end to end through the NativeAOT agent: local tar archives (plain, gzip, bzip2, xz, zstd) extracted with their
/// modes, owners and links; a compressed non-archive copied as is; URLs from a loopback HTTP server with and without
/// --checksum; a mismatch, a 404 and a git URL each one clear line. Also RUN's /tmp and WORKDIR of a missing directory.
/// </summary>
[Trait("Category", "Integration")]
public sealed class AddBuildTests
{
    [Fact]
    public async Task LocalArchivesOfEveryCompressionAreExtractedAndOtherFilesCopied()
    {
        await using var w = await BuildWorkspace.StartAsync();
        var tar = Path.Combine(w.Context, "app.tar");
        WriteArchive(tar);
        foreach (var (tool, extension) in new[] { ("gzip", "gz"), ("bzip2", "bz2"), ("xz", "xz"), ("zstd", "zst") })
            await ExternalTool.RunAsync("/bin/sh", ["-c", $"{tool} -c '{tar}' > '{tar}.{extension}'"]);
        await ExternalTool.RunAsync("/bin/sh", ["-c", $"echo not a tar | gzip -c > '{w.Context}/note.gz'"]);
        w.Write("Dockerfile", $"""
            FROM {w.BaseImage}
            ADD app.tar /plain/
            ADD app.tar.gz /gz
            ADD app.tar.bz2 app.tar.xz /both/
            ADD app.tar.zst /opt/../zst/
            ADD note.gz /files/
            ADD app.tar.gz /tmp/
            """);
        var tag = $"{w.Registry}/add/archives:1";
        var build = await w.BuildAsync(tag);
        Assert.True(build.ExitCode == 0, build.ToString());

        var run = await w.AgentAsync("run", tag, "/bin/sh", "-c",
            "for d in /plain /gz /both /zst; do cd $d && find . -mindepth 1 | sort | xargs stat -c '%n %a %u:%g %F' && cat pkg/bin/tool && readlink pkg/link; done; " +
            "zcat /files/note.gz; stat -c '%a' /tmp");
        Assert.True(run.ExitCode == 0, run.ToString());
        var tree = "./pkg 750 0:0 directory\n./pkg/bin 755 0:0 directory\n./pkg/bin/tool 4755 1000:1000 regular file\n" +
                   "./pkg/link 777 0:0 symbolic link\ntool-content\nbin/tool\n";
        Assert.Equal(tree + tree + tree + tree + "not a tar\n1777\n", run.Stdout);
    }

    [Fact]
    public async Task AddUrlDownloadsWithAChecksumAndEveryFailureIsOneLine()
    {
        await using var w = await BuildWorkspace.StartAsync();
        await using var server = await FileServer.StartAsync(new Dictionary<string, string> { ["/dl/tool.txt"] = "downloaded\n" });
        var url = $"{server.BaseUrl}/dl/tool.txt";
        var sha = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("downloaded\n")));
        w.Write("Dockerfile", $"FROM {w.BaseImage}\nADD --checksum=sha256:{sha} {url} /opt/\nADD {url} /named.txt\n");
        var tag = $"{w.Registry}/add/url:1";
        var build = await w.BuildAsync(tag);
        Assert.True(build.ExitCode == 0, build.ToString());
        var run = await w.AgentAsync("run", tag, "/bin/sh", "-c", "stat -c '%a %s' /opt/tool.txt /named.txt && cat /named.txt");
        Assert.Equal("600 11\n600 11\ndownloaded\n", run.Stdout);

        var wrong = new string('0', 64);
        foreach (var (line, message) in new[]
        {
            ($"ADD --checksum=sha256:{wrong} {url} /x", $"Dockerfile:2: ADD: {url}: checksum mismatch: expected sha256:{wrong}, got sha256:{sha}"),
            ($"ADD {server.BaseUrl}/missing.txt /x", $"Dockerfile:2: ADD: {server.BaseUrl}/missing.txt: HTTP 404 Not Found"),
            ("ADD https://example.invalid/project.git /src", "Dockerfile:2: ADD: https://example.invalid/project.git: ADD of a git repository is not supported"),
            ($"ADD --checksum=md5:abc {url} /x", "Dockerfile:2: ADD: --checksum=md5:abc: expected sha256: and 64 lowercase hex digits"),
        })
        {
            w.Write("Dockerfile", $"FROM {w.BaseImage}\n{line}\n");
            var failed = await w.BuildAsync($"{w.Registry}/add/bad:1");
            Assert.NotEqual(0, failed.ExitCode);
            Assert.Contains(message, failed.Stderr);
            Assert.Single(failed.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }
    }

    [Fact]
    public async Task FilesARunLeavesInTmpAndAMissingWorkdirAreInTheLayers()
    {
        await using var w = await BuildWorkspace.StartAsync();
        w.Write("Dockerfile", $"""
            FROM {w.BaseImage}
            RUN echo kept > /tmp/left-by-run
            USER 1000
            WORKDIR /home/app/new/dir
            """);
        var tag = $"{w.Registry}/add/tmp:1";
        var build = await w.BuildAsync(tag);
        Assert.True(build.ExitCode == 0, build.ToString());
        // `run` mounts its own tmpfs on /tmp, so the layer itself is read.
        var names = (await RunMountBuildTests.ExportedLayersAsync(w, tag)).SelectMany(l => l.Names).ToList();
        Assert.Contains("tmp/left-by-run", names);
        Assert.Contains(names, n => n.TrimEnd('/') == "home/app/new/dir");
    }

    /// <summary>pkg/ (0750), pkg/bin/tool (setuid, owned by 1000), pkg/link → bin/tool: what extraction must keep.</summary>
    private static void WriteArchive(string path)
    {
        using var file = File.Create(path);
        using var writer = new TarWriter(file, TarEntryFormat.Pax);
        writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "./") { Mode = (UnixFileMode)0x1ED });
        writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "pkg/") { Mode = (UnixFileMode)0x1E8 });
        writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "pkg/bin/") { Mode = (UnixFileMode)0x1ED });
        writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "pkg/bin/tool")
        {
            Mode = (UnixFileMode)0x9ED, Uid = 1000, Gid = 1000, DataStream = new MemoryStream("tool-content\n"u8.ToArray()),
        });
        writer.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "pkg/link") { LinkName = "bin/tool", Mode = (UnixFileMode)0x1FF });
    }

    /// <summary>A static file server on loopback (Kestrel): the other end of ADD URL.</summary>
    private sealed class FileServer(WebApplication app, string baseUrl) : IAsyncDisposable
    {
        public string BaseUrl => baseUrl;

        public static async Task<FileServer> StartAsync(IReadOnlyDictionary<string, string> files)
        {
            var url = $"http://127.0.0.1:{LoopbackPorts.Free()}";
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls(url);
            builder.Logging.ClearProviders();
            var app = builder.Build();
            app.Run(context => files.TryGetValue(context.Request.Path.Value ?? "", out var content)
                ? context.Response.WriteAsync(content)
                : Task.FromResult(context.Response.StatusCode = StatusCodes.Status404NotFound));
            await app.StartAsync();
            return new FileServer(app, url);
        }

        public async ValueTask DisposeAsync() => await app.DisposeAsync();
    }
}
