using System.Net;
using System.Text;

namespace Registry.Storage.Blobs.S3;

/// <summary>
/// Smooths over two measured incompatibilities between the Minio SDK 7.0.0 and S3 servers:
/// the SDK throws <c>PartialContentException</c> on every 206 range answer (fixed upstream after 7.0.0),
/// and s3rver writes list results in a wrong XML namespace, which the SDK then parses as empty.
/// Only list answers are buffered (they are small); object bodies pass through untouched.
/// </summary>
internal sealed class S3CompatibilityHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    private const string WrongNamespace = "xmlns=\"http://doc.s3.amazonaws.com/2006-03-01/\"";
    private const string S3Namespace = "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"";

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        if (response.StatusCode == HttpStatusCode.PartialContent) response.StatusCode = HttpStatusCode.OK;
        if (request.Method == HttpMethod.Get && IsListRequest(request.RequestUri) && response.IsSuccessStatusCode)
        {
            var xml = await response.Content.ReadAsStringAsync(cancellationToken);
            response.Content = new StringContent(xml.Replace(WrongNamespace, S3Namespace, StringComparison.Ordinal), Encoding.UTF8, "application/xml");
        }
        return response;
    }

    // ListObjectsV2 is a GET on the bucket itself with list-type=2 (or a v1 list with a prefix/delimiter).
    private static bool IsListRequest(Uri? uri) =>
        uri is not null && (uri.Query.Contains("list-type=", StringComparison.Ordinal) || uri.Query.Contains("prefix=", StringComparison.Ordinal) || uri.Query.Contains("delimiter=", StringComparison.Ordinal));
}
