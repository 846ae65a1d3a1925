using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Registry.Storage.Metadata;
using Registry.Storage.Metadata.Entities;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Core;

/// <summary>
/// SQLite's single writer is kept by one interceptor: a second writer queues behind an open transaction (instead of
/// "database is locked" or a busy poll) and goes on as soon as it ends, however it ends.
/// </summary>
public sealed class SqliteWriteGateTests : IAsyncLifetime
{
    private RegistryServer server = null!;

    public async Task InitializeAsync() => server = await RegistryServer.StartAsync(TestDatabase.Sqlite);
    public async Task DisposeAsync() => await server.DisposeAsync();

    [Fact]
    public async Task ALoneWriteWaitsForAnOpenTransactionAndRunsWhenItCommits()
    {
        await using var first = server.CreateScope();
        var holder = Db(first);
        var transaction = await holder.Database.BeginTransactionAsync();
        holder.UploadSessions.Add(Session("held"));
        await holder.SaveChangesAsync();

        await using var second = server.CreateScope();
        var queued = Db(second).UploadSessions.Where(u => u.Id == "held").ExecuteDeleteAsync();
        await Task.Delay(500);
        Assert.False(queued.IsCompleted, "the second writer ran while the first transaction was open");

        await transaction.CommitAsync();
        Assert.Equal(1, await queued.WaitAsync(TimeSpan.FromSeconds(30)));
        await transaction.DisposeAsync();
    }

    [Fact]
    public async Task ATransactionDisposedWithoutCommitOrRollbackLetsTheNextWriterIn()
    {
        await using (var first = server.CreateScope())
        {
            var db = Db(first);
            await using var abandoned = await db.Database.BeginTransactionAsync();
            db.UploadSessions.Add(Session("abandoned"));
            await db.SaveChangesAsync();
        }

        await using var second = server.CreateScope();
        var after = Db(second);
        after.UploadSessions.Add(Session("after"));
        await after.SaveChangesAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(await after.UploadSessions.AnyAsync(u => u.Id == "abandoned"));
        Assert.True(await after.UploadSessions.AnyAsync(u => u.Id == "after"));
    }

    [Theory]
    [InlineData("INSERT INTO blobs VALUES (1)", true)]
    [InlineData("  update blobs SET size = 1", true)]
    [InlineData("-- tagged\nDELETE FROM tags", true)]
    [InlineData("SELECT 1", false)]
    [InlineData("PRAGMA synchronous=NORMAL;", false)]
    public void WritesAreToldFromReads(string sql, bool write) => Assert.Equal(write, SqliteWriteGate.IsWrite(sql));

    private static RegistryDbContext Db(AsyncServiceScope scope) => scope.ServiceProvider.GetRequiredService<RegistryDbContext>();

    private static UploadSessionEntity Session(string id) =>
        new() { Id = id, RepositoryName = "gate/test", StartedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow };
}
