using Registry.Oci;

namespace RuntimeAgent.Store;

/// <summary>
/// Where everything lives under --root. Blobs and unpacked layers are shared by every image on the host.
/// <code>
/// blobs/sha256/HEX          verified blobs (manifests' config and layers), content-addressed
/// blobs/.partial/HEX        downloads in progress, resumed with Range
/// layers/HEX                unpacked layers, keyed by diff_id (the digest of the uncompressed tar)
/// images/KEY.json           image records: reference → manifest, config, layers
/// containers/ID             containers (owned by the run side)
/// locks/                    flock files: per blob, per layer, and the store lock gc takes exclusively
/// auth.json                 saved registry credentials (0600)
/// </code>
/// </summary>
public sealed record StoreLayout(string Root)
{
    public string BlobsDirectory => Path.Combine(Root, "blobs", "sha256");
    public string PartialDirectory => Path.Combine(Root, "blobs", ".partial");
    public string LayersDirectory => Path.Combine(Root, "layers");
    public string ImagesDirectory => Path.Combine(Root, "images");
    public string ContainersDirectory => Path.Combine(Root, "containers");
    public string LocksDirectory => Path.Combine(Root, "locks");
    /// <summary>Compiled seccomp programs, by filter key (Run/Isolation/Seccomp).</summary>
    public string SeccompDirectory => Path.Combine(Root, "seccomp");
    public string AuthFile => Path.Combine(Root, "auth.json");

    /// <summary>Prefix of unpack-in-progress directories inside <see cref="LayersDirectory"/>.</summary>
    public const string TempPrefix = ".tmp-";

    public string BlobPath(Digest digest) => Path.Combine(Root, "blobs", digest.Algorithm, digest.Hex);
    public string PartialBlobPath(Digest digest) => Path.Combine(PartialDirectory, $"{digest.Algorithm}-{digest.Hex}");
    public string LayerPath(Digest diffId) => Path.Combine(LayersDirectory, diffId.Hex);
    public string BlobLock(Digest digest) => Path.Combine(LocksDirectory, $"blob-{digest.Hex}.lock");
    public string LayerLock(Digest diffId) => Path.Combine(LocksDirectory, $"layer-{diffId.Hex}.lock");

    /// <summary>Held shared by every pull and run, exclusively by gc, so gc never deletes what is being used.</summary>
    public string StoreLock => Path.Combine(LocksDirectory, "store.lock");

    public void EnsureCreated()
    {
        foreach (var directory in new[] { BlobsDirectory, PartialDirectory, LayersDirectory, ImagesDirectory, LocksDirectory })
            Directory.CreateDirectory(directory);
    }
}
