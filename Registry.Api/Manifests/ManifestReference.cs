using Registry.Oci;

namespace Registry.Api.Manifests;

/// <summary>The last segment of a manifest URL: a digest (contains ':') or a tag.</summary>
internal readonly record struct ManifestReference(Digest? Digest, string? Tag)
{
    public static bool TryParse(string text, out ManifestReference reference)
    {
        reference = default;
        if (text.Contains(':'))
        {
            if (!Oci.Digest.TryParse(text, out var digest)) return false;
            reference = new ManifestReference(digest, null);
            return true;
        }
        if (!Oci.Tag.IsValid(text)) return false;
        reference = new ManifestReference(null, text);
        return true;
    }
}
