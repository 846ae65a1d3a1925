using System.Formats.Tar;
using System.Text.Json;
using Registry.Oci;
using RuntimeAgent.Store;

namespace RuntimeAgent.Build.Image;

/// <summary>
/// <c>--output type=oci,dest=PATH[,tar=false][,name=REF]</c>: the built image as an OCI image layout, a tar file by
/// default (as BuildKit writes it), a directory with <c>tar=false</c>. Written beside the destination and moved
/// into place, so a failure leaves nothing half-written.
/// See: https://github.com/opencontainers/image-spec/blob/main/image-layout.md
/// </summary>
public sealed record OciExport(string Destination, bool Tar, string? Name)
{
    public static OciExport Parse(string spec)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var field in spec.Split(','))
        {
            var pair = field.Split('=', 2);
            if (pair.Length != 2 || !fields.TryAdd(pair[0], pair[1])) throw new FormatException($"--output {spec}: expected type=oci,dest=PATH");
        }
        if (fields.GetValueOrDefault("type") != "oci") throw new FormatException($"--output {spec}: only type=oci is supported");
        if (fields.GetValueOrDefault("dest") is not { Length: > 0 } dest) throw new FormatException($"--output {spec}: dest=PATH is required");
        var unknown = fields.Keys.Except(["type", "dest", "tar", "name"]).FirstOrDefault();
        if (unknown is not null) throw new FormatException($"--output {spec}: unknown field '{unknown}' (type, dest, tar, name)");
        var tar = fields.GetValueOrDefault("tar", "true") switch
        {
            "true" => true,
            "false" => false,
            var other => throw new FormatException($"--output {spec}: tar={other}: expected true or false"),
        };
        return new OciExport(Path.GetFullPath(dest), tar, fields.GetValueOrDefault("name"));
    }

    public void Write(StoreLayout layout, BuiltImage image, IReadOnlyList<string> tags)
    {
        var parent = Path.GetDirectoryName(Destination)!;
        Directory.CreateDirectory(parent);
        var staging = Path.Combine(parent, $".{Path.GetFileName(Destination)}.{Guid.NewGuid():N}");
        try
        {
            var blobs = Directory.CreateDirectory(Path.Combine(staging, "blobs", "sha256")).FullName;
            foreach (var digest in new[] { image.ManifestDigest, image.ConfigDigest }.Concat(image.Layers.Select(l => l.Digest)).Distinct())
                File.Copy(layout.BlobPath(Digest.Parse(digest)), Path.Combine(blobs, digest["sha256:".Length..]));
            File.WriteAllText(Path.Combine(staging, "oci-layout"), """{"imageLayoutVersion":"1.0.0"}""");
            File.WriteAllBytes(Path.Combine(staging, "index.json"), Index(image, Name ?? tags.FirstOrDefault(), new FileInfo(layout.BlobPath(Digest.Parse(image.ManifestDigest))).Length));
            if (Tar)
            {
                var temp = staging + ".tar";
                TarFile.CreateFromDirectory(staging, temp, includeBaseDirectory: false);
                File.Move(temp, Destination, overwrite: true);
            }
            else
            {
                if (Directory.Exists(Destination)) Directory.Delete(Destination, recursive: true);
                Directory.Move(staging, Destination);
            }
        }
        finally
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
            if (File.Exists(staging + ".tar")) File.Delete(staging + ".tar");
        }
    }

    private static byte[] Index(BuiltImage image, string? name, long manifestSize)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("schemaVersion", 2);
            json.WriteString("mediaType", MediaTypes.OciIndex);
            json.WriteStartArray("manifests");
            json.WriteStartObject();
            json.WriteString("mediaType", MediaTypes.OciManifest);
            json.WriteString("digest", image.ManifestDigest);
            json.WriteNumber("size", manifestSize);
            if (name is not null)
            {
                json.WriteStartObject("annotations");
                json.WriteString("org.opencontainers.image.ref.name", name);
                json.WriteEndObject();
            }
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }
}
