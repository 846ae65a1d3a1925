using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Registry.Storage.Blobs.S3;

/// <summary>
/// Signs an S3 request with AWS Signature Version 4 in the Authorization header, for the multipart calls
/// the Minio SDK 7.0.0 keeps private (its public presigning takes no extra query parameters and no POST).
/// The signed headers are Host and every request header already set (e.g. Range); content headers are not signed.
/// </summary>
// See: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
internal sealed class S3RequestSigner(string accessKey, string secretKey, string region)
{
    /// <summary>The payload hash for bodies that are streamed rather than hashed up front.</summary>
    public const string UnsignedPayload = "UNSIGNED-PAYLOAD";

    /// <summary>SHA-256 of nothing, the payload hash of bodiless requests.</summary>
    public const string EmptyPayload = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    public static string PayloadHashOf(byte[] body) => Convert.ToHexStringLower(SHA256.HashData(body));

    /// <summary>Adds <c>x-amz-date</c>, <c>x-amz-content-sha256</c> and <c>Authorization</c> to <paramref name="request"/>.</summary>
    public void Sign(HttpRequestMessage request, string payloadHash, DateTimeOffset now)
    {
        var uri = request.RequestUri ?? throw new ArgumentException("the request has no URI", nameof(request));
        var timestamp = now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var date = timestamp[..8];
        request.Headers.Remove("x-amz-date");
        request.Headers.Remove("x-amz-content-sha256");
        request.Headers.TryAddWithoutValidation("x-amz-date", timestamp);
        request.Headers.TryAddWithoutValidation("x-amz-content-sha256", payloadHash);

        var headers = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["host"] = uri.Authority };
        foreach (var (name, values) in request.Headers.NonValidated)
            if (!name.Equals("Authorization", StringComparison.OrdinalIgnoreCase))
                headers[name.ToLowerInvariant()] = string.Join(',', values).Trim();
        var signedHeaders = string.Join(';', headers.Keys);
        var canonicalRequest = string.Join('\n',
            request.Method.Method,
            CanonicalPath(uri),
            CanonicalQuery(uri),
            string.Concat(headers.Select(h => $"{h.Key}:{h.Value}\n")),
            signedHeaders,
            payloadHash);

        var scope = $"{date}/{region}/s3/aws4_request";
        var stringToSign = $"AWS4-HMAC-SHA256\n{timestamp}\n{scope}\n{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest)))}";
        var signature = Convert.ToHexStringLower(HMACSHA256.HashData(SigningKey(date), Encoding.UTF8.GetBytes(stringToSign)));
        request.Headers.TryAddWithoutValidation("Authorization",
            $"AWS4-HMAC-SHA256 Credential={accessKey}/{scope},SignedHeaders={signedHeaders},Signature={signature}");
    }

    private byte[] SigningKey(string date)
    {
        var key = Hmac(Encoding.UTF8.GetBytes("AWS4" + secretKey), date);
        key = Hmac(key, region);
        key = Hmac(key, "s3");
        return Hmac(key, "aws4_request");
    }

    private static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));

    // S3 signs the path as sent, each segment URI-encoded once ('/' kept).
    private static string CanonicalPath(Uri uri) =>
        string.Join('/', uri.AbsolutePath.Split('/').Select(segment => Encode(Uri.UnescapeDataString(segment))));

    private static string CanonicalQuery(Uri uri)
    {
        var query = uri.Query.TrimStart('?');
        if (query.Length == 0) return "";
        return string.Join('&', query.Split('&')
            .Select(pair => pair.Split('=', 2))
            .Select(p => (Name: Encode(Uri.UnescapeDataString(p[0])), Value: p.Length > 1 ? Encode(Uri.UnescapeDataString(p[1])) : ""))
            .OrderBy(p => p.Name, StringComparer.Ordinal).ThenBy(p => p.Value, StringComparer.Ordinal)
            .Select(p => $"{p.Name}={p.Value}"));
    }

    // RFC 3986 unreserved characters stay; everything else is %XX of its UTF-8 bytes, upper-case hex.
    private static string Encode(string value)
    {
        var builder = new StringBuilder(value.Length);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            if (b is >= (byte)'A' and <= (byte)'Z' or >= (byte)'a' and <= (byte)'z' or >= (byte)'0' and <= (byte)'9' or (byte)'-' or (byte)'_' or (byte)'.' or (byte)'~')
                builder.Append((char)b);
            else
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
        }
        return builder.ToString();
    }
}
