using Registry.Tests.Infrastructure;

namespace Registry.Tests.Conformance;

/// <summary>Which registry a conformance test drives: ours on each metadata provider, or the reference.</summary>
public enum RegistryKind
{
    /// <summary>Our registry on Kestrel with the embedded SQLite metadata store.</summary>
    OursOnSqlite,
    /// <summary>Our registry with PostgreSQL metadata (needs REGISTRY_TEST_POSTGRES from scripts/services.sh).</summary>
    OursOnPostgres,
    /// <summary>CNCF distribution: when a test fails on ours but passes here, the bug is ours.</summary>
    ReferenceDistribution,
}

/// <summary>A running registry of any <see cref="RegistryKind"/>, addressed the way real clients address it.</summary>
public sealed class RegistryUnderTest : IAsyncDisposable
{
    private readonly IAsyncDisposable _server;

    public RegistryKind Kind { get; }
    public Uri BaseAddress { get; }
    public HttpClient Client { get; }

    /// <summary><c>127.0.0.1:PORT</c>, the registry part of image references.</summary>
    public string HostPort => $"{BaseAddress.Host}:{BaseAddress.Port}";

    private RegistryUnderTest(RegistryKind kind, IAsyncDisposable server, Uri baseAddress)
    {
        (Kind, _server, BaseAddress) = (kind, server, baseAddress);
        Client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromMinutes(2) };
    }

    public static TheoryData<RegistryKind> All => [.. Enum.GetValues<RegistryKind>()];

    public static async Task<RegistryUnderTest> StartAsync(RegistryKind kind)
    {
        if (kind == RegistryKind.ReferenceDistribution)
        {
            var distribution = await DistributionRegistry.StartAsync();
            return new RegistryUnderTest(kind, distribution, distribution.BaseAddress);
        }
        var server = await RegistryServer.StartAsync(kind == RegistryKind.OursOnPostgres ? TestDatabase.Postgres : TestDatabase.Sqlite);
        return new RegistryUnderTest(kind, server, server.BaseAddress);
    }

    /// <summary>A <c>docker://</c> reference into this registry.</summary>
    public string Docker(string repository, string reference) =>
        reference.Contains(':') ? $"docker://{HostPort}/{repository}@{reference}" : $"docker://{HostPort}/{repository}:{reference}";

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _server.DisposeAsync();
    }
}
