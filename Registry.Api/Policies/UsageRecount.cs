using Microsoft.EntityFrameworkCore;
using Registry.Storage.Metadata;
using Registry.Storage.Policies;

namespace Registry.Api.Policies;

/// <summary>
/// Recounts every tracked organization's usage every <c>Registry:Quota:RecountInterval</c> (default 15 minutes,
/// off when zero): the incremental figure drifts when two pushes add the same new blob at once, and unique bytes
/// change when other namespaces push or delete. Each replica may run it; recounts are idempotent.
/// </summary>
public sealed class UsageRecount(IServiceScopeFactory scopes, IConfiguration configuration, ILogger<UsageRecount> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = configuration.GetValue("Registry:Quota:RecountInterval", TimeSpan.FromMinutes(15));
        if (interval <= TimeSpan.Zero) return;
        using var timer = new PeriodicTimer(interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<RegistryDbContext>();
                var usage = scope.ServiceProvider.GetRequiredService<OrganizationUsage>();
                var organizations = await db.Set<OrganizationUsageEntity>().Select(u => u.Organization).ToListAsync(stoppingToken);
                foreach (var organization in organizations) await usage.RecountAsync(organization, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // A database outage fails this round only; the next tick tries again.
                logger.LogError(e, "Usage recount failed");
            }
        }
    }
}
