using System.Text.Json;

namespace Registry.Storage.Manifests;

/// <summary>
/// Layers the image spec lets live outside the registry: the non-distributable media types (OCI's deprecated
/// <c>…layer.nondistributable…</c>, Docker's <c>…rootfs.foreign…</c>) and any layer that carries <c>urls</c>.
/// A manifest may reference them without their blobs having been pushed; every other blob stays required.
/// See: https://github.com/opencontainers/image-spec/blob/main/layer.md#non-distributable-layers
/// See: https://github.com/opencontainers/image-spec/blob/main/descriptor.md#properties (urls)
/// </summary>
public static class ForeignLayer
{
    public const string OciNonDistributableTar = "application/vnd.oci.image.layer.nondistributable.v1.tar";
    public const string OciNonDistributableGzip = "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip";
    public const string OciNonDistributableZstd = "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd";
    public const string DockerForeignTar = "application/vnd.docker.image.rootfs.foreign.diff.tar";
    public const string DockerForeignGzip = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";

    private static readonly HashSet<string> MediaTypes =
        [OciNonDistributableTar, OciNonDistributableGzip, OciNonDistributableZstd, DockerForeignTar, DockerForeignGzip];

    /// <summary>True when <paramref name="layer"/> (a layers[] entry) may be absent from the registry.</summary>
    /// <exception cref="ManifestInvalidException">when <c>urls</c> is present but not an array of absolute URLs.</exception>
    public static bool IsForeign(JsonElement layer, string mediaType, string where) =>
        HasUrls(layer, where) || MediaTypes.Contains(mediaType);

    private static bool HasUrls(JsonElement layer, string where)
    {
        if (!layer.TryGetProperty("urls", out var urls) || urls.ValueKind == JsonValueKind.Null) return false;
        if (urls.ValueKind != JsonValueKind.Array) throw new ManifestInvalidException($"{where}.urls must be an array");
        foreach (var url in urls.EnumerateArray())
        {
            if (url.ValueKind != JsonValueKind.String || !Uri.TryCreate(url.GetString(), UriKind.Absolute, out _))
                throw new ManifestInvalidException($"{where}.urls must hold absolute URLs");
        }
        return urls.GetArrayLength() > 0;
    }
}
