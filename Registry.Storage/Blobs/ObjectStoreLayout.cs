using Registry.Oci;
using Registry.Storage.Uploads;

namespace Registry.Storage.Blobs;

/// <summary>
/// Where the object stores (S3, Azure) keep things, mirroring the filesystem layout:
/// published blobs at <c>blobs/&lt;algorithm&gt;/&lt;first two hex&gt;/&lt;hex&gt;</c>, upload staging under
/// <c>uploads/&lt;id&gt;/</c>. One place, so listing and garbage collection parse what writing produced.
/// </summary>
internal static class ObjectStoreLayout
{
    public const string BlobsPrefix = "blobs/";
    public const string UploadsPrefix = "uploads/";

    public static string BlobKey(Digest digest) => $"{BlobsPrefix}{digest.Algorithm}/{digest.Hex[..2]}/{digest.Hex}";

    /// <summary>The digest a blob key names, or false for keys this layout never writes.</summary>
    public static bool TryParseBlobKey(string key, out Digest digest)
    {
        digest = null!;
        var parts = key.Split('/');
        return parts is ["blobs", var algorithm, var fanOut, var hex]
            && hex.StartsWith(fanOut, StringComparison.Ordinal)
            && Digest.TryParse($"{algorithm}:{hex}", out digest);
    }

    /// <summary>The key prefix of an upload's staging area; refuses ids that are not session ids.</summary>
    public static string UploadPrefix(string uploadId) =>
        UploadIds.IsValid(uploadId) ? $"{UploadsPrefix}{uploadId}/" : throw new UploadNotFoundException(uploadId);

    /// <summary>The upload id a staging key belongs to, or null for keys outside the staging area.</summary>
    public static string? UploadIdOf(string key)
    {
        if (!key.StartsWith(UploadsPrefix, StringComparison.Ordinal)) return null;
        var rest = key.AsSpan(UploadsPrefix.Length);
        var slash = rest.IndexOf('/');
        var id = (slash < 0 ? rest : rest[..slash]).ToString();
        return UploadIds.IsValid(id) ? id : null;
    }
}
