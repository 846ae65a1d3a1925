namespace RuntimeAgent.Unpack;

/// <summary>
/// A tar entry name made relative to the layer root, lexically: <c>./a//b/./c</c> → [a, b, c].
/// Absolute names and <c>..</c> that climbs above the root are refused, never "fixed".
/// </summary>
public static class EntryPath
{
    public static IReadOnlyList<string> Split(string name, string what = "entry")
    {
        if (name.Contains('\0')) throw new LayerRefusedException($"{what} '{name.Replace("\0", "\\0")}' contains a NUL byte");
        if (name.StartsWith('/')) throw new LayerRefusedException($"{what} '{name}' is an absolute path");
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
