using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Minio;
using Minio.DataModel.Args;
using Minio.Exceptions;

namespace Registry.Storage.Blobs.S3;

/// <summary>An object as S3 lists or stats it.</summary>
internal sealed record S3Object(string Key, long Size, DateTimeOffset LastModified);

/// <summary>
/// The few S3 operations the blob store needs, on one bucket, through the Minio SDK, with every
/// transport failure turned into <see cref="StoreUnavailableException"/>. Object bodies are read with
/// presigned GETs on our own <see cref="HttpClient"/> so they stream straight from the socket.
/// </summary>
internal sealed class S3ObjectClient : IDisposable
{
    private readonly IMinioClient minio;
    private readonly HttpClient http;
    private readonly string bucket;
    private readonly S3MultipartUpload multipart;
    private readonly long multipartThreshold;
    private readonly long multipartPartSize;

    /// <param name="options">The store settings.</param>
    /// <param name="observer">For tests: a handler that sees every request on its way to the server.</param>
    public S3ObjectClient(S3StoreOptions options, DelegatingHandler? observer = null)
    {
        bucket = options.Bucket;
        multipartThreshold = options.MultipartThreshold;
        multipartPartSize = options.MultipartPartSize;
        var sockets = new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(5), PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        HttpMessageHandler transport = sockets;
        if (observer is not null) { observer.InnerHandler = sockets; transport = observer; }
        http = new HttpClient(new S3CompatibilityHandler(transport)) { Timeout = Timeout.InfiniteTimeSpan };
        minio = new MinioClient()
            .WithEndpoint(options.Endpoint)
            .WithCredentials(options.AccessKey, options.SecretKey)
            .WithRegion(options.Region) // a fixed region skips a region lookup before every call
            .WithSSL(options.UseSsl)
            .WithHttpClient(http, disposeHttpClient: false)
            .Build();
        var bucketUri = new Uri($"{(options.UseSsl ? "https" : "http")}://{options.Endpoint}/{Uri.EscapeDataString(bucket)}/");
        multipart = new S3MultipartUpload(http, new S3RequestSigner(options.AccessKey, options.SecretKey, options.Region), bucketUri);
    }

    public Task<bool> BucketExistsAsync(CancellationToken cancellationToken) =>
        Guard(() => minio.BucketExistsAsync(new BucketExistsArgs().WithBucket(bucket), cancellationToken), cancellationToken);

    public Task MakeBucketAsync(CancellationToken cancellationToken) =>
        Guard(async () => { await minio.MakeBucketAsync(new MakeBucketArgs().WithBucket(bucket), cancellationToken); return 0; }, cancellationToken);

    public Task<S3Object?> StatAsync(string key, CancellationToken cancellationToken) => Guard(async () =>
    {
        try
        {
            var stat = await minio.StatObjectAsync(new StatObjectArgs().WithBucket(bucket).WithObject(key), cancellationToken);
            return new S3Object(key, stat.Size, new DateTimeOffset(DateTime.SpecifyKind(stat.LastModified, DateTimeKind.Utc)));
        }
        catch (ObjectNotFoundException)
        {
            return null;
        }
    }, cancellationToken);

    /// <summary>
    /// Stores <paramref name="size"/> bytes read from <paramref name="data"/>; the object appears whole or not
    /// at all. Up to the multipart threshold that is one presigned PUT streaming the body; above it, a
    /// multipart upload streaming part by part (<see cref="S3MultipartUpload"/>), which S3 needs past 5 GiB.
    /// (The Minio SDK 7.0.0's own multipart put holds every part in memory, measured +68 MiB for 64 MiB.)
    /// </summary>
    public async Task PutAsync(string key, Stream data, long size, CancellationToken cancellationToken)
    {
        if (size > multipartThreshold)
        {
            var partSize = S3MultipartUpload.PartSizeFor(size, multipartPartSize);
            await Guard(async () => { await multipart.UploadAsync(key, data, size, partSize, cancellationToken); return 0; }, cancellationToken);
            return;
        }
        var uri = await Guard(async () => new Uri(await minio.PresignedPutObjectAsync(
            new PresignedPutObjectArgs().WithBucket(bucket).WithObject(key).WithExpiry(3600))), cancellationToken);
        await Guard(async () =>
        {
            using var content = new StreamContent(new NonDisposingStream(data), 128 * 1024);
            content.Headers.ContentLength = size;
            content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            using var response = await http.PutAsync(uri, content, cancellationToken);
            if (!response.IsSuccessStatusCode)
                throw new StoreUnavailableException($"S3 answered {(int)response.StatusCode} storing {key}");
            return 0;
        }, cancellationToken);
    }

    public Task RemoveAsync(string key, CancellationToken cancellationToken) => Guard(async () =>
    {
        // S3 asks clients to retry "InternalError" answers; s3rver gives them when deletes race (measured).
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await minio.RemoveObjectAsync(new RemoveObjectArgs().WithBucket(bucket).WithObject(key), cancellationToken);
                return 0;
            }
            catch (MinioException e) when (attempt < 4 && e.Message.Contains("internal error", StringComparison.OrdinalIgnoreCase))
            {
                await Task.Delay(50 * attempt, cancellationToken);
            }
        }
    }, cancellationToken);

    public Task<Uri> PresignGetAsync(string key, TimeSpan expiry, CancellationToken cancellationToken) => Guard(async () =>
        new Uri(await minio.PresignedGetObjectAsync(new PresignedGetObjectArgs().WithBucket(bucket).WithObject(key)
            .WithExpiry((int)expiry.TotalSeconds))), cancellationToken);

    /// <summary>Streams an object's bytes from <paramref name="offset"/>; null when the object does not exist.</summary>
    public async Task<Stream?> OpenReadAsync(string key, long offset, long? length, CancellationToken cancellationToken)
    {
        var uri = await PresignGetAsync(key, TimeSpan.FromMinutes(10), cancellationToken);
        return await Guard(async () =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, uri);
            if (offset > 0 || length is not null)
                request.Headers.Range = new RangeHeaderValue(offset, length is { } l ? offset + l - 1 : null);
            var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (response.StatusCode == HttpStatusCode.NotFound) { response.Dispose(); return null; }
            // A range starting at or past the end: there is nothing to read.
            if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable) { response.Dispose(); return Stream.Null; }
            if (!response.IsSuccessStatusCode)
            {
                response.Dispose();
                throw new StoreUnavailableException($"S3 answered {(int)response.StatusCode} reading {key}");
            }
            return await response.Content.ReadAsStreamAsync(cancellationToken);
        }, cancellationToken);
    }

    public async IAsyncEnumerable<S3Object> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var items = minio.ListObjectsEnumAsync(new ListObjectsArgs().WithBucket(bucket).WithPrefix(prefix).WithRecursive(true), cancellationToken);
        await using var enumerator = items.GetAsyncEnumerator(cancellationToken);
        while (await Guard(async () => await enumerator.MoveNextAsync(), cancellationToken))
        {
            var item = enumerator.Current;
            if (item.IsDir) continue;
            var modified = item.LastModifiedDateTime is { } m ? new DateTimeOffset(DateTime.SpecifyKind(m, DateTimeKind.Utc)) : DateTimeOffset.UnixEpoch;
            yield return new S3Object(item.Key, (long)item.Size, modified);
        }
    }

    public void Dispose()
    {
        minio.Dispose();
        http.Dispose();
    }

    // The SDK reports an unreachable server in several shapes; callers only need to know it is down.
    private static async Task<T> Guard<T>(Func<Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call();
        }
        catch (Exception e) when (IsUnavailable(e, cancellationToken))
        {
            throw new StoreUnavailableException($"S3 store unreachable: {e.Message}", e);
        }
    }

    private static bool IsUnavailable(Exception e, CancellationToken cancellationToken) => e switch
    {
        StoreUnavailableException => false,
        HttpRequestException or SocketException or IOException or ConnectionException or InternalServerException => true,
        OperationCanceledException => !cancellationToken.IsCancellationRequested, // a timeout, not the caller giving up
        MinioException { InnerException: { } inner } => IsUnavailable(inner, cancellationToken),
        _ => false,
    };
}
