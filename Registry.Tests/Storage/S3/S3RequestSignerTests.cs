using Registry.Storage.Blobs.S3;

namespace Registry.Tests.BlobStores.S3;

/// <summary>
/// The signer against the worked examples AWS publishes for Signature Version 4 in the Authorization
/// header (s3rver does not check V4 signatures, so these are what prove the signing is right).
/// See: https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html
/// </summary>
public sealed class S3RequestSignerTests
{
    private static readonly S3RequestSigner Signer = new("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "us-east-1");
    private static readonly DateTimeOffset ExampleTime = new(2013, 5, 24, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void SignsTheGetObjectExampleAsAwsDocumentsIt()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://examplebucket.s3.amazonaws.com/test.txt");
        request.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(0, 9);

        Signer.Sign(request, S3RequestSigner.EmptyPayload, ExampleTime);

        Assert.Equal(
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
            Authorization(request));
        Assert.Equal("20130524T000000Z", request.Headers.GetValues("x-amz-date").Single());
    }

    [Theory]
    [InlineData("https://examplebucket.s3.amazonaws.com/?lifecycle", "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543")]
    [InlineData("https://examplebucket.s3.amazonaws.com/?max-keys=2&prefix=J", "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7")]
    public void SignsQueryParametersAsAwsDocumentsThem(string url, string expectedSignature)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);

        Signer.Sign(request, S3RequestSigner.EmptyPayload, ExampleTime);

        Assert.EndsWith("SignedHeaders=host;x-amz-content-sha256;x-amz-date,Signature=" + expectedSignature, Authorization(request));
    }

    [Fact]
    public void ChoosesPartsWithinS3sLimits()
    {
        const long MiB = 1024 * 1024;
        Assert.Equal(64 * MiB, S3MultipartUpload.PartSizeFor(6L * 1024 * MiB, preferred: 0));
        Assert.Equal(5 * MiB, S3MultipartUpload.PartSizeFor(17 * MiB, preferred: 5 * MiB));
        Assert.Equal(5 * MiB, S3MultipartUpload.PartSizeFor(17 * MiB, preferred: 1 * MiB)); // S3's minimum wins
        var fiveTiB = 5L * 1024 * 1024 * MiB;
        var part = S3MultipartUpload.PartSizeFor(fiveTiB, preferred: 0);
        Assert.True((fiveTiB + part - 1) / part <= S3MultipartUpload.MaxParts, $"{part} bytes per part needs more than 10,000 parts");
        Assert.Equal(0, part % MiB);
    }

    private static string Authorization(HttpRequestMessage request) => request.Headers.GetValues("Authorization").Single();
}
