using Registry.Tests.Infrastructure;
using Registry.Tests.TestImages;

namespace Registry.Tests.Agent;

/// <summary>The project's registry on 127.0.0.1 (plain HTTP for the agent), shared by one test class; each push uses a fresh repository.</summary>
public sealed class AgentRegistryFixture : IAsyncLifetime
{
    public RegistryServer Server { get; private set; } = null!;

    /// <summary><c>127.0.0.1:PORT</c>, as image references name it.</summary>
    public string Host => Server.BaseAddress.Authority;

    public async Task InitializeAsync()
    {
        Server = await RegistryServer.StartAsync();
        await AgentBinary.PathAsync(); // publish once before tests time their own work
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();

    /// <summary>Pushes a manifest (and everything it needs) to a new repository; returns the tag reference.</summary>
    public async Task<string> PushAsync(TestManifest manifest, string tag = "1.0")
    {
        var repository = $"agent/{Guid.NewGuid():N}";
        await new RegistryPushClient(Server.Client).PushAsync(repository, manifest, tag);
        return $"{Host}/{repository}:{tag}";
    }

    /// <summary>The registry's stored copy of a blob (the filesystem store keeps it under its hex digest).</summary>
    public string StoredBlobPath(Registry.Oci.Digest digest) =>
        Directory.EnumerateFiles(Server.DataDirectory, digest.Hex, SearchOption.AllDirectories).Single();
}
