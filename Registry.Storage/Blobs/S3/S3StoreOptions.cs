namespace Registry.Storage.Blobs.S3;

/// <summary>The S3 blob store settings (<c>Registry:Storage:S3</c>, e.g. <c>Registry__Storage__S3__Bucket</c>).</summary>
public sealed class S3StoreOptions
{
    /// <summary>The server as <c>host:port</c>, without a scheme (for example <c>minio:9000</c>).</summary>
    public string Endpoint { get; set; } = "";

    public string AccessKey { get; set; } = "";

    public string SecretKey { get; set; } = "";

    /// <summary>The bucket; created at start when missing.</summary>
    public string Bucket { get; set; } = "";

    /// <summary>The region requests are signed for. Default <c>us-east-1</c>.</summary>
    public string Region { get; set; } = "us-east-1";

    /// <summary>Talk HTTPS to the endpoint. Default false.</summary>
    public bool UseSsl { get; set; }

    /// <summary>Answer blob GETs with a redirect to a presigned URL instead of streaming. Default false.</summary>
    public bool RedirectReads { get; set; }

    /// <summary>How long a presigned read URL stays valid. Default 15 minutes.</summary>
    public TimeSpan RedirectExpiry { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// Objects larger than this many bytes are published with a streamed multipart upload instead of one PUT.
    /// Default and maximum 5 GiB (S3's single-PUT limit); at least 5 MiB.
    /// </summary>
    public long MultipartThreshold { get; set; } = MaxMultipartThreshold;

    /// <summary>
    /// The part size of multipart uploads in bytes; 0 (default) means 64 MiB. Raised automatically when an
    /// object would need more than S3's 10,000 parts. When set: 5 MiB to 5 GiB.
    /// </summary>
    public long MultipartPartSize { get; set; }

    private const long MinMultipartSize = S3MultipartUpload.MinPartSize;
    private const long MaxMultipartThreshold = S3MultipartUpload.MaxSinglePutSize;

    /// <summary>Every problem with these settings, each saying what to set.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(Endpoint) || Endpoint.Contains("://") || !Endpoint.Contains(':'))
            problems.Add($"Registry:Storage:S3:Endpoint is '{Endpoint}'; set Registry__Storage__S3__Endpoint to host:port without a scheme (e.g. minio:9000).");
        if (string.IsNullOrWhiteSpace(AccessKey))
            problems.Add("Registry:Storage:S3:AccessKey is empty; set Registry__Storage__S3__AccessKey.");
        if (string.IsNullOrWhiteSpace(SecretKey))
            problems.Add("Registry:Storage:S3:SecretKey is empty; set Registry__Storage__S3__SecretKey.");
        if (string.IsNullOrWhiteSpace(Bucket) || Bucket.Length is < 3 or > 63 || Bucket.Any(c => c is not (>= 'a' and <= 'z' or >= '0' and <= '9' or '-' or '.')))
            problems.Add($"Registry:Storage:S3:Bucket is '{Bucket}'; set Registry__Storage__S3__Bucket to a bucket name of 3-63 lower-case letters, digits, '-' or '.'.");
        if (string.IsNullOrWhiteSpace(Region))
            problems.Add("Registry:Storage:S3:Region is empty; set Registry__Storage__S3__Region (default us-east-1).");
        if (RedirectExpiry <= TimeSpan.Zero || RedirectExpiry > TimeSpan.FromDays(7))
            problems.Add("Registry:Storage:S3:RedirectExpiry must be between 1 second and 7 days.");
        if (MultipartThreshold is < MinMultipartSize or > MaxMultipartThreshold)
            problems.Add($"Registry:Storage:S3:MultipartThreshold is {MultipartThreshold}; set Registry__Storage__S3__MultipartThreshold to a byte count from {MinMultipartSize} (5 MiB) to {MaxMultipartThreshold} (5 GiB).");
        if (MultipartPartSize != 0 && MultipartPartSize is < MinMultipartSize or > MaxMultipartThreshold)
            problems.Add($"Registry:Storage:S3:MultipartPartSize is {MultipartPartSize}; set Registry__Storage__S3__MultipartPartSize to 0 (automatic) or a byte count from {MinMultipartSize} (5 MiB) to {MaxMultipartThreshold} (5 GiB).");
        return problems;
    }
}
