namespace Registry.Oci;

/// <summary>
/// The media types the registry and the agent understand.
/// See: https://github.com/opencontainers/image-spec/blob/main/media-types.md
/// </summary>
public static class MediaTypes
{
    public const string OciManifest = "application/vnd.oci.image.manifest.v1+json";
    public const string OciIndex = "application/vnd.oci.image.index.v1+json";
    public const string OciConfig = "application/vnd.oci.image.config.v1+json";
    public const string OciLayerTar = "application/vnd.oci.image.layer.v1.tar";
    public const string OciLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip";
    public const string OciLayerZstd = "application/vnd.oci.image.layer.v1.tar+zstd";
    public const string OciEmpty = "application/vnd.oci.empty.v1+json";
    public const string DockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
    public const string DockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json";
    public const string DockerConfig = "application/vnd.docker.container.image.v1+json";
    public const string DockerLayerGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip";

    /// <summary>Manifest media types that list other manifests rather than layers.</summary>
    public static bool IsIndex(string mediaType) => mediaType is OciIndex or DockerManifestList;

    /// <summary>Every manifest media type the registry accepts on PUT.</summary>
    public static bool IsManifest(string mediaType) =>
        mediaType is OciManifest or OciIndex or DockerManifest or DockerManifestList;
}
