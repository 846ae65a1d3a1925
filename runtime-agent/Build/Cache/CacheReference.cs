using Registry.Oci;

namespace RuntimeAgent.Build.Cache;

/// <summary>
/// Where `--cache-from` / `--cache-to` keep a build cache: a registry reference, written plainly (<c>REF</c>) or
/// BuildKit's way (<c>type=registry,ref=REF[,mode=max]</c>). The cache always holds every step of every stage the
/// build ran (BuildKit's <c>mode=max</c>), since a later build on another machine may need any of them.
/// See: https://docs.docker.com/build/cache/backends/registry/
/// </summary>
public sealed record CacheReference(ImageReference Image)
{
    public static CacheReference Parse(string option, string value)
    {
        if (!value.Contains('=')) return new CacheReference(Reference(option, value, value));
        string? reference = null;
        foreach (var field in value.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var (key, given) = field.IndexOf('=') is var at and > 0 ? (field[..at], field[(at + 1)..]) : (field, "");
            switch (key)
            {
                case "type" when given != "registry":
                    throw new FormatException($"{option} {value}: type={given} is not supported (only type=registry)");
                case "type":
                    break;
                case "ref":
                    reference = given;
                    break;
                case "mode" when given != "max":
                    throw new FormatException($"{option} {value}: mode={given} is not supported (the cache always holds every stage's steps, as mode=max)");
                case "mode":
                    break;
                default:
                    throw new FormatException($"{option} {value}: unknown key '{key}' (expected type=registry,ref=REF[,mode=max])");
            }
        }
        return new CacheReference(Reference(option, value, reference ?? throw new FormatException($"{option} {value}: ref=REF is missing")));
    }

    private static ImageReference Reference(string option, string value, string reference)
    {
        ImageReference parsed;
        try { parsed = ImageReference.Parse(reference); }
        catch (FormatException e) { throw new FormatException($"{option} {value}: {e.Message}"); }
        if (option == "--cache-to" && parsed.Tag is null)
            throw new FormatException($"{option} {value}: the cache is written under a tag, not a digest");
        return parsed;
    }

    public override string ToString() => Image.ToString();
}
