using Registry.Oci;
using System.IO.Hashing;
using System.Text;
using System.Text.Json;
using RuntimeAgent.Registry;

namespace RuntimeAgent.Store;

/// <summary>The image records under $root/images, one JSON file per reference, replaced atomically.</summary>
public sealed class ImageRecords(StoreLayout layout)
{
    public ImageRecord? Find(ImageReference reference)
    {
        var path = PathFor(reference.ToString());
        return File.Exists(path) ? Read(path) : null;
    }

    public IReadOnlyList<ImageRecord> List()
    {
        return Directory.Exists(layout.ImagesDirectory)
            ? Directory.EnumerateFiles(layout.ImagesDirectory, "*.json").Select(Read).OfType<ImageRecord>()
                .OrderBy(r => r.Reference, StringComparer.Ordinal).ToList()
            : [];
    }

    public void Save(ImageRecord record)
    {
        var path = PathFor(record.Reference);
        var temp = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        File.WriteAllBytes(temp, JsonSerializer.SerializeToUtf8Bytes(record, AgentJsonContext.Default.ImageRecord));
        File.Move(temp, path, overwrite: true);
    }

    public bool Remove(string reference)
    {
        var path = PathFor(reference);
        if (!File.Exists(path)) return false;
        File.Delete(path);
        return true;
    }

    // A non-cryptographic hash of the reference: nothing here needs SHA-256, and `run` of a cached image
    // would otherwise load and initialise OpenSSL only to find this file (about 15% of its CPU time).
    private string PathFor(string reference) =>
        Path.Combine(layout.ImagesDirectory, Convert.ToHexStringLower(XxHash128.Hash(Encoding.UTF8.GetBytes(reference))) + ".json");

    private static ImageRecord? Read(string path)
    {
        try
        {
            return ImageRecord.FromUtf8(File.ReadAllBytes(path));
        }
        catch (Exception e) when (e is JsonException or IOException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return null; // a record being replaced or damaged reads as absent; pull writes it again
        }
    }
}
