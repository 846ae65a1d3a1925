using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Registry.Storage.Metadata;

namespace Registry.Tests.Infrastructure;

/// <summary>
/// One registry server shared by the tests of a class (xunit class fixture). Tests use unique repository
/// names, so they do not see each other's content. Subclass per database provider.
/// </summary>
public abstract class RegistryFixture : IAsyncLifetime
{
    protected abstract TestDatabase Database { get; }

    public RegistryServer Server { get; private set; } = null!;
    public HttpClient Client => Server.Client;

    public async Task InitializeAsync() => Server = await RegistryServer.StartAsync(Database);
    public async Task DisposeAsync() => await Server.DisposeAsync();

    /// <summary>Whether the blob store holds a published file for <paramref name="digest"/>.</summary>
    public bool BlobFileExists(string digest)
    {
        var (algorithm, hex) = (digest.Split(':')[0], digest.Split(':')[1]);
        return File.Exists(Path.Combine(Server.DataDirectory, "blobs", algorithm, hex[..2], hex));
    }

    /// <summary>How many upload staging directories exist.</summary>
    public int StagedUploadCount() =>
        Directory.Exists(Path.Combine(Server.DataDirectory, "uploads"))
            ? Directory.GetFileSystemEntries(Path.Combine(Server.DataDirectory, "uploads")).Length : 0;

    /// <summary>Runs a query against the server's metadata database.</summary>
    public async Task<T> QueryAsync<T>(Func<RegistryDbContext, Task<T>> query)
    {
        await using var scope = Server.CreateScope();
        return await query(scope.ServiceProvider.GetRequiredService<RegistryDbContext>());
    }

    /// <summary>Whether the metadata knows a repository of that name.</summary>
    public Task<bool> RepositoryExistsAsync(string name) => QueryAsync(db => db.Repositories.AnyAsync(r => r.Name == name));
}

public sealed class SqliteRegistryFixture : RegistryFixture
{
    protected override TestDatabase Database => TestDatabase.Sqlite;
}

public sealed class PostgresRegistryFixture : RegistryFixture
{
    protected override TestDatabase Database => TestDatabase.Postgres;
}
