using Registry.Storage.Blobs;

namespace Registry.Api.Operations;

/// <summary>Creates the bucket or container at start when it is missing, so a fresh deployment just works.</summary>
internal sealed class BlobStoreProvisioner(IBlobStore store, BlobStoreOptions options, ILogger<BlobStoreProvisioner> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (store is not IProvisionedBlobStore provisioned) return;
        try
        {
            await provisioned.EnsureCreatedAsync(cancellationToken);
            logger.LogInformation("Blob store {Driver} ready", options.NormalizedDriver);
        }
        catch (StoreUnavailableException e)
        {
            // Start anyway: /readyz reports the store down and requests answer 503 until it is reachable,
            // so a registry started before its object store recovers without a restart.
            logger.LogError(e, "Blob store {Driver} unreachable at start; will answer 503 until it is", options.NormalizedDriver);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
