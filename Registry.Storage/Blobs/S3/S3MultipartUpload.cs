using System.Net.Http.Headers;
using System.Security;
using System.Text;
using System.Xml.Linq;

namespace Registry.Storage.Blobs.S3;

/// <summary>
/// Stores one object with an S3 multipart upload, streaming each part straight from the source, so memory
/// stays at one copy buffer whatever the object's size (the Minio SDK 7.0.0's multipart put holds every part
/// until it completes, and its part calls are private). On any failure or cancellation the upload is aborted,
/// so S3 keeps no orphaned parts; the object appears only when CompleteMultipartUpload succeeds.
/// </summary>
// See: https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html
// Signing reads the wall clock, not an injected TimeProvider, on purpose: S3 refuses a signature more than 15 minutes
// away from its own clock, so a test's fake clock must never reach a request.
internal sealed class S3MultipartUpload(HttpClient http, S3RequestSigner signer, Uri bucketUri)
{
    /// <summary>S3's smallest part (every part but the last).</summary>
    public const long MinPartSize = 5L * 1024 * 1024;

    /// <summary>S3's largest part, and its limit for a single PUT.</summary>
    public const long MaxPartSize = 5L * 1024 * 1024 * 1024;

    /// <summary>S3's limit for one PUT: larger objects must be uploaded in parts.</summary>
    public const long MaxSinglePutSize = MaxPartSize;

    /// <summary>S3's most parts in one upload.</summary>
    public const int MaxParts = 10_000;

    private const long DefaultPartSize = 64L * 1024 * 1024;

    /// <summary>
    /// The part size for an object of <paramref name="size"/> bytes: <paramref name="preferred"/> (64 MiB when 0),
    /// raised in whole MiB when the object would otherwise need more than 10,000 parts.
    /// </summary>
    public static long PartSizeFor(long size, long preferred)
    {
        const long MiB = 1024 * 1024;
        var part = Math.Max(preferred > 0 ? preferred : DefaultPartSize, MinPartSize);
        var smallestAllowed = (size + MaxParts - 1) / MaxParts;
        if (part < smallestAllowed) part = (smallestAllowed + MiB - 1) / MiB * MiB;
        return part <= MaxPartSize ? part : throw new NotSupportedException($"an object of {size} bytes exceeds S3's multipart limits");
    }

    public async Task UploadAsync(string key, Stream data, long size, long partSize, CancellationToken cancellationToken)
    {
        var objectUri = ObjectUri(key);
        var uploadId = await InitiateAsync(objectUri, key, cancellationToken);
        try
        {
            var etags = new List<string>();
            for (long offset = 0; offset < size; offset += partSize)
            {
                var length = Math.Min(partSize, size - offset);
                etags.Add(await UploadPartAsync(objectUri, key, uploadId, etags.Count + 1, data, length, cancellationToken));
            }
            await CompleteAsync(objectUri, key, uploadId, etags, cancellationToken);
        }
        catch
        {
            await AbortQuietlyAsync(objectUri, uploadId);
            throw;
        }
    }

    // See: https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateMultipartUpload.html
    private async Task<string> InitiateAsync(Uri objectUri, string key, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(objectUri + "?uploads"));
        var xml = await SendForXmlAsync(request, S3RequestSigner.EmptyPayload, $"starting a multipart upload of {key}", cancellationToken);
        return xml.Descendants().FirstOrDefault(e => e.Name.LocalName == "UploadId")?.Value is { Length: > 0 } id
            ? id
            : throw new StoreUnavailableException($"S3 gave no UploadId starting a multipart upload of {key}");
    }

    // See: https://docs.aws.amazon.com/AmazonS3/latest/API/API_UploadPart.html
    private async Task<string> UploadPartAsync(Uri objectUri, string key, string uploadId, int partNumber, Stream data, long length, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, PartUri(objectUri, uploadId, partNumber));
        // The slice hands HttpClient exactly this part's bytes; the source stays open for the next part.
        request.Content = new StreamContent(new ReadOnlySlice(new NonDisposingStream(data), length), 128 * 1024);
        request.Content.Headers.ContentLength = length;
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        signer.Sign(request, S3RequestSigner.UnsignedPayload, DateTimeOffset.UtcNow);
        using var response = await http.SendAsync(request, cancellationToken);
        await EnsureSuccessAsync(response, $"storing part {partNumber} of {key}", cancellationToken);
        return response.Headers.TryGetValues("ETag", out var values) && values.FirstOrDefault() is { Length: > 0 } etag
            ? etag
            : throw new StoreUnavailableException($"S3 gave no ETag for part {partNumber} of {key}");
    }

    // See: https://docs.aws.amazon.com/AmazonS3/latest/API/API_CompleteMultipartUpload.html
    private async Task CompleteAsync(Uri objectUri, string key, string uploadId, List<string> etags, CancellationToken cancellationToken)
    {
        var body = new StringBuilder("<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">");
        for (var i = 0; i < etags.Count; i++)
            body.Append($"<Part><PartNumber>{i + 1}</PartNumber><ETag>{SecurityElement.Escape(etags[i])}</ETag></Part>");
        var bytes = Encoding.UTF8.GetBytes(body.Append("</CompleteMultipartUpload>").ToString());
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"{objectUri}?uploadId={Uri.EscapeDataString(uploadId)}"))
        {
            Content = new ByteArrayContent(bytes),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/xml");
        var xml = await SendForXmlAsync(request, S3RequestSigner.PayloadHashOf(bytes), $"completing the multipart upload of {key}", cancellationToken);
        // S3 may answer 200 and still report a failure in the body (the response streams while it assembles).
        if (xml.Root?.Name.LocalName == "Error")
            throw new StoreUnavailableException($"S3 failed completing the multipart upload of {key}: {xml.Root.Value}");
    }

    // See: https://docs.aws.amazon.com/AmazonS3/latest/API/API_AbortMultipartUpload.html
    private async Task AbortQuietlyAsync(Uri objectUri, string uploadId)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Delete, new Uri($"{objectUri}?uploadId={Uri.EscapeDataString(uploadId)}"));
            signer.Sign(request, S3RequestSigner.EmptyPayload, DateTimeOffset.UtcNow);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            using var _ = await http.SendAsync(request, timeout.Token);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException)
        {
            // The original failure is what the caller needs; a bucket lifecycle rule reaps what is left.
        }
    }

    private async Task<XDocument> SendForXmlAsync(HttpRequestMessage request, string payloadHash, string what, CancellationToken cancellationToken)
    {
        signer.Sign(request, payloadHash, DateTimeOffset.UtcNow);
        using var response = await http.SendAsync(request, cancellationToken);
        await EnsureSuccessAsync(response, what, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        try
        {
            return XDocument.Parse(text);
        }
        catch (System.Xml.XmlException e)
        {
            throw new StoreUnavailableException($"S3 answered unreadable XML {what}", e);
        }
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode) return;
        var detail = await response.Content.ReadAsStringAsync(cancellationToken);
        throw new StoreUnavailableException($"S3 answered {(int)response.StatusCode} {what}: {Truncate(detail)}");
    }

    private static string Truncate(string text) => text.Length <= 300 ? text : text[..300] + "…";

    private Uri ObjectUri(string key) =>
        new(bucketUri, string.Join('/', key.Split('/').Select(Uri.EscapeDataString)));

    private static Uri PartUri(Uri objectUri, string uploadId, int partNumber) =>
        new($"{objectUri}?partNumber={partNumber}&uploadId={Uri.EscapeDataString(uploadId)}");
}
