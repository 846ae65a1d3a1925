namespace Registry.Tests.BlobStores;

/// <summary>
/// The throwaway servers the storage tests talk to, started by <c>scripts/services.sh</c>. A missing
/// variable fails the test with instructions: a storage test that silently passes proves nothing.
/// </summary>
public static class TestServices
{
    public static string S3Endpoint => Require("REGISTRY_TEST_S3_ENDPOINT");

    public static string AzureConnection => Require("REGISTRY_TEST_AZURE_CONNECTION");

    public static string Postgres => Require("REGISTRY_TEST_POSTGRES");

    /// <summary>s3rver's fixed credentials.</summary>
    public const string S3AccessKey = "S3RVER";
    public const string S3SecretKey = "S3RVER";

    /// <summary>A bucket or container name no other test uses.</summary>
    public static string UniqueBucketName() => "reg-test-" + Guid.NewGuid().ToString("N")[..16];

    private static string Require(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{name} is not set. Start the test services first: export REGISTRY_SERVICES_DIR=/tmp/svc-$USER; eval \"$(bash scripts/services.sh start)\"");
}
