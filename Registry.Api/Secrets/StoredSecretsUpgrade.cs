using Microsoft.EntityFrameworkCore;
using Registry.Storage.Events;
using Registry.Storage.Metadata;
using Registry.Storage.Replication;

namespace Registry.Api.Secrets;

/// <summary>
/// At start, brings every stored secret to the one protected form: webhook secrets written in clear (before secrets
/// were protected) are protected, replication passwords protected before the <c>protected:</c> marker existed get it.
/// The workers that read secrets wait for <see cref="Completed"/>; a database outage only delays it (retried).
/// </summary>
public sealed class StoredSecretsUpgrade(IServiceScopeFactory scopes, SecretsAtRest secrets, ILogger<StoredSecretsUpgrade> logger)
    : BackgroundService
{
    private readonly TaskCompletionSource done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once no secret is left unmarked in the database.</summary>
    public Task Completed => done.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        for (var attempt = 1; !stoppingToken.IsCancellationRequested; attempt++)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await UpgradeAsync(scope.ServiceProvider.GetRequiredService<RegistryDbContext>(), stoppingToken);
                done.TrySetResult();
                return;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Protecting stored secrets failed (attempt {Attempt}); trying again", attempt);
                try { await Task.Delay(TimeSpan.FromSeconds(Math.Min(attempt, 10)), stoppingToken); }
                catch (OperationCanceledException) { return; }
            }
        }
    }

    private async Task UpgradeAsync(RegistryDbContext db, CancellationToken cancellationToken)
    {
        var clear = await db.Set<WebhookEntity>().AsNoTracking().Where(w => !w.Secret.StartsWith(SecretsAtRest.Marker))
            .Select(w => new { w.Id, w.Secret }).ToListAsync(cancellationToken);
        foreach (var webhook in clear)
        {
            var protectedSecret = secrets.Protect(SecretKind.WebhookSecret, webhook.Secret);
            // Only if still that clear value: another replica may have protected it, or a PATCH replaced it, meanwhile.
            await db.Set<WebhookEntity>().Where(w => w.Id == webhook.Id && w.Secret == webhook.Secret)
                .ExecuteUpdateAsync(set => set.SetProperty(w => w.Secret, protectedSecret), cancellationToken);
        }
        var marked = await db.Set<ReplicationRuleEntity>()
            .Where(r => r.ProtectedPassword != null && !r.ProtectedPassword.StartsWith(SecretsAtRest.Marker))
            .ExecuteUpdateAsync(set => set.SetProperty(r => r.ProtectedPassword, r => SecretsAtRest.Marker + r.ProtectedPassword), cancellationToken);
        if (clear.Count > 0 || marked > 0)
            logger.LogInformation("Protected {Webhooks} webhook secret(s) stored in clear and marked {Rules} replication password(s)", clear.Count, marked);
    }
}
