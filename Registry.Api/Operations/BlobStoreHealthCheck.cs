using Microsoft.Extensions.Diagnostics.HealthChecks;
using Registry.Storage.Blobs;

namespace Registry.Api.Operations;

/// <summary>Readiness: the blob store answers (and its bucket or container exists, creating it if it was missing).</summary>
internal sealed class BlobStoreHealthCheck(IBlobStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            if (store is IProvisionedBlobStore provisioned) await provisioned.EnsureCreatedAsync(cancellationToken);
            await store.CheckHealthAsync(cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (StoreUnavailableException e)
        {
            return HealthCheckResult.Unhealthy(e.Message);
        }
    }
}
