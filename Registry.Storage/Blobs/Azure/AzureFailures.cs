using System.Net.Sockets;
using Azure;

namespace Registry.Storage.Blobs.Azure;

/// <summary>Turns the Azure SDK's ways of saying "the service is not there" into <see cref="StoreUnavailableException"/>.</summary>
internal static class AzureFailures
{
    public static async Task<T> Guard<T>(Func<Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call();
        }
        catch (Exception e) when (IsUnavailable(e, cancellationToken))
        {
            throw new StoreUnavailableException($"Azure Blob store unreachable: {e.Message}", e);
        }
    }

    public static async Task Guard(Func<Task> call, CancellationToken cancellationToken) =>
        await Guard(async () => { await call(); return 0; }, cancellationToken);

    public static bool IsNotFound(RequestFailedException e) => e.Status == 404;

    private static bool IsUnavailable(Exception e, CancellationToken cancellationToken) => e switch
    {
        StoreUnavailableException => false,
        // Status 0: no answer at all; 5xx: the service is failing. 4xx are our mistakes and stay as they are.
        RequestFailedException failed => failed.Status is 0 or >= 500,
        AggregateException aggregate => aggregate.InnerExceptions.Any(inner => IsUnavailable(inner, cancellationToken)),
        HttpRequestException or SocketException or IOException => true,
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        _ => false,
    };
}
