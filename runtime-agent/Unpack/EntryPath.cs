namespace RuntimeAgent.Unpack;

/// <summary>
/// A tar entry name (or hardlink target) made relative to the layer root, lexically: <c>./a//b/./c</c> → [a, b, c].
/// A leading '/' is dropped and the name taken relative to the layer root — what GNU tar does on extraction and what
/// umoci (CleanPath + SecureJoin) and containerd (fs.RootPath) do; image-spec layer.md only says names are relative.
/// So <c>/</c>, <c>./</c> and <c>.</c> name the root itself (umoci insert writes <c>/</c>). A <c>..</c> that climbs
/// above the root is refused rather than clamped (umoci and containerd clamp it): no honest layer has one.
/// Symlinks are not resolved here; <see cref="RootedDirectory"/> refuses to write through them.
/// </summary>
public static class EntryPath
{
    public static IReadOnlyList<string> Split(string name, string what = "entry")
    {
        if (name.Contains('\0')) throw new LayerRefusedException($"{what} '{name.Replace("\0", "\\0")}' contains a NUL byte");
        var parts = new List<string>();
        foreach (var segment in name.Split('/'))
        {
            if (segment is "" or ".") continue;
            if (segment == "..")
            {
                if (parts.Count == 0) throw new LayerRefusedException($"{what} '{name}' escapes the layer with '..'");
                parts.RemoveAt(parts.Count - 1);
                continue;
            }
            parts.Add(segment);
        }
        return parts;
    }
}
