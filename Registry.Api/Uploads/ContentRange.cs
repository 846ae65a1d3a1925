namespace Registry.Api.Uploads;

/// <summary>
/// The <c>Content-Range: &lt;start&gt;-&lt;end&gt;</c> of a chunk PATCH (inclusive bounds, no unit, as the
/// spec writes it; a leading <c>bytes </c> or <c>bytes=</c> is tolerated for older clients).
/// See: https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pushing-a-blob-in-chunks
/// </summary>
public readonly record struct ContentRange(long Start, long End)
{
    public long Length => End - Start + 1;

    public static bool TryParse(string? text, out ContentRange range)
    {
        range = default;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var value = text.Trim();
        if (value.StartsWith("bytes", StringComparison.OrdinalIgnoreCase)) value = value[5..].TrimStart(' ', '=');
        var slash = value.IndexOf('/');
        if (slash >= 0) value = value[..slash];
        var dash = value.IndexOf('-');
        if (dash <= 0 || !long.TryParse(value.AsSpan(0, dash), System.Globalization.NumberStyles.None, null, out var start) ||
            !long.TryParse(value.AsSpan(dash + 1), System.Globalization.NumberStyles.None, null, out var end))
            return false;
        range = new ContentRange(start, end);
        return true;
    }

    /// <summary>The <c>Range</c> header value for an upload holding <paramref name="offset"/> bytes.</summary>
    public static string HeaderFor(long offset) => $"0-{Math.Max(0, offset - 1)}";
}
