using Microsoft.Extensions.Diagnostics.HealthChecks;
using Registry.Storage.Metadata;

namespace Registry.Api.Operations;

/// <summary>Readiness: the metadata database accepts connections.</summary>
internal sealed class DatabaseHealthCheck(IServiceScopeFactory scopes) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var database = scope.ServiceProvider.GetRequiredService<RegistryDbContext>().Database;
        try
        {
            return await database.CanConnectAsync(cancellationToken)
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy("the metadata database does not accept connections");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy($"the metadata database failed: {e.Message}");
        }
    }
}
