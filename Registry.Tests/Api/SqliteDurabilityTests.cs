using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Registry.Storage.Metadata;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Api;

/// <summary>The embedded database's per-connection durability setting holds on every (pooled, reopened) connection.</summary>
public sealed class SqliteDurabilityTests
{
    [Fact]
    public async Task EveryConnectionTheRegistryOpensRunsWithSynchronousNormal()
    {
        await using var server = await RegistryServer.StartAsync(TestDatabase.Sqlite);
        await server.Client.PushBlobAsync("durability/repo", OciTestClient.RandomBytes(1024));
        for (var i = 0; i < 5; i++)
        {
            await using var scope = server.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<RegistryDbContext>();
            await db.Database.OpenConnectionAsync();
            await using var command = db.Database.GetDbConnection().CreateCommand();
            command.CommandText = "PRAGMA synchronous";
            Assert.Equal(1L, await command.ExecuteScalarAsync()); // 1 = NORMAL (the SQLite default is 2, FULL)
            await db.Database.CloseConnectionAsync();
        }
    }
}
