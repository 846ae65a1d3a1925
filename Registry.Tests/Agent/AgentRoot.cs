namespace Registry.Tests.Agent;

/// <summary>A throwaway --root for one test, deleted afterwards; runs the agent against it.</summary>
public sealed class AgentRoot(string? parent = null) : IDisposable
{
    /// <summary>The store directory, under <c>parent</c> when given (e.g. a filesystem made for the test), else under /tmp.</summary>
    public string Path { get; } = System.IO.Path.Combine(parent ?? System.IO.Path.GetTempPath(), $"agent-root-{Guid.NewGuid():N}");

    public string LayersDirectory => System.IO.Path.Combine(Path, "layers");
    public string BlobsDirectory => System.IO.Path.Combine(Path, "blobs", "sha256");
    public string PartialDirectory => System.IO.Path.Combine(Path, "blobs", ".partial");

    public string LayerPath(Registry.Oci.Digest diffId) => System.IO.Path.Combine(LayersDirectory, diffId.Hex);

    /// <summary>Runs `runtime-agent --root PATH args…`.</summary>
    public Task<AgentResult> RunAsync(params string[] args) => AgentBinary.RunAsync(["--root", Path, .. args]);

    /// <summary>Runs the agent, asserting it exits 0.</summary>
    public async Task<AgentResult> RunOkAsync(params string[] args)
    {
        var result = await RunAsync(args);
        Assert.True(result.ExitCode == 0, $"runtime-agent {string.Join(' ', args)} failed: {result}");
        return result;
    }

    /// <summary>Names under layers/ (unpacked layers and anything left behind).</summary>
    public IReadOnlyList<string> LayerEntries() =>
        Directory.Exists(LayersDirectory) ? Directory.EnumerateFileSystemEntries(LayersDirectory).Select(p => System.IO.Path.GetFileName(p)).ToList() : [];

    public void Dispose()
    {
        try
        {
            if (Directory.Exists(Path)) Directory.Delete(Path, recursive: true);
        }
        catch (IOException) { }
    }
}
