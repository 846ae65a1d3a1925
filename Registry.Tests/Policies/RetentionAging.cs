using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Registry.Storage.Metadata;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Policies;

/// <summary>
/// Makes content look old in a real registry's database: retention compares the times pushes recorded (a tag's
/// updated_at, a manifest's created_at) with now, and a test cannot wait thirty days.
/// </summary>
public static class RetentionAging
{
    public static async Task AgeTagAsync(this RegistryServer server, string repository, string tag, TimeSpan age)
    {
        await using var scope = server.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<RegistryDbContext>();
        var at = DateTime.UtcNow - age;
        var repositoryId = await db.Repositories.Where(r => r.Name == repository).Select(r => r.Id).SingleAsync();
        var updated = await db.Tags.Where(t => t.RepositoryId == repositoryId && t.Name == tag)
            .ExecuteUpdateAsync(set => set.SetProperty(t => t.UpdatedAt, at));
        Assert.Equal(1, updated);
    }

    public static async Task AgeManifestAsync(this RegistryServer server, string repository, string digest, TimeSpan age)
    {
        await using var scope = server.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<RegistryDbContext>();
        var at = DateTime.UtcNow - age;
        var repositoryId = await db.Repositories.Where(r => r.Name == repository).Select(r => r.Id).SingleAsync();
        var updated = await db.Manifests.Where(m => m.RepositoryId == repositoryId && m.Digest == digest)
            .ExecuteUpdateAsync(set => set.SetProperty(m => m.CreatedAt, at));
        Assert.Equal(1, updated);
    }

    public static async Task<HashSet<string>> TagsOfAsync(this RegistryServer server, string repository)
    {
        await using var scope = server.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<RegistryDbContext>();
        return [.. await (from t in db.Tags join r in db.Repositories on t.RepositoryId equals r.Id where r.Name == repository select t.Name).ToListAsync()];
    }

    public static async Task<bool> HasManifestAsync(this RegistryServer server, string repository, string digest)
    {
        await using var scope = server.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<RegistryDbContext>();
        return await (from m in db.Manifests join r in db.Repositories on m.RepositoryId equals r.Id
                      where r.Name == repository && m.Digest == digest select m.Id).AnyAsync();
    }
}
