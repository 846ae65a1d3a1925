using System.Text.RegularExpressions;

namespace Registry.Oci;

/// <summary>
/// Tag names: <c>[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}</c>.
/// See: https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-manifests
/// </summary>
public static partial class Tag
{
    /// <summary>True when <paramref name="tag"/> is a valid tag.</summary>
    public static bool IsValid(string? tag) => tag is not null && Shape().IsMatch(tag);

    [GeneratedRegex("^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$", RegexOptions.CultureInvariant)]
    private static partial Regex Shape();
}
