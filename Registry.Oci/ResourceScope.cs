namespace Registry.Oci;

/// <summary>
/// One token-auth scope: <c>repository:org/app:pull,push</c> or <c>registry:catalog:*</c>.
/// See: https://distribution.github.io/distribution/spec/auth/scope/
/// </summary>
/// <param name="Type">The resource type, <c>repository</c> or <c>registry</c> (a <c>(class)</c> suffix is dropped).</param>
/// <param name="Name">The resource name: a repository name, or <c>catalog</c>.</param>
/// <param name="Actions">The requested action words, as given (unknown words are kept; the grant drops them).</param>
public sealed record ResourceScope(string Type, string Name, IReadOnlyList<string> Actions)
{
    public const string RepositoryType = "repository";
    public const string RegistryType = "registry";
    public const string CatalogName = "catalog";

    /// <summary>The scope that lists the catalog.</summary>
    public static ResourceScope Catalog { get; } = new(RegistryType, CatalogName, ["*"]);

    /// <summary>A repository scope for the given action words (<c>pull</c>, <c>push</c>, <c>delete</c>, <c>*</c>).</summary>
    public static ResourceScope ForRepository(string name, IReadOnlyList<string> actions) =>
        new(RepositoryType, name, actions);

    /// <summary>True for <c>registry:catalog:*</c>.</summary>
    public bool IsCatalog => Type == RegistryType && Name == CatalogName;

    /// <summary>
    /// Parses <c>type:name:actions</c>. The name may itself contain colons in other registries' grammars, so the
    /// type ends at the first colon and the actions start after the last one.
    /// </summary>
    public static bool TryParse(string? text, out ResourceScope scope)
    {
        scope = null!;
        if (string.IsNullOrEmpty(text) || text.Length > 1024) return false;
        var first = text.IndexOf(':');
        var last = text.LastIndexOf(':');
        if (first <= 0 || last == first || last == text.Length - 1) return false;
        var type = text[..first];
        var paren = type.IndexOf('(');
        if (paren > 0 && type.EndsWith(')')) type = type[..paren];
        var name = text[(first + 1)..last];
        if (name.Length == 0) return false;
        var actions = text[(last + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (actions.Length == 0) return false;
        scope = new ResourceScope(type, name, actions);
        return true;
    }

    /// <summary>Parses a scope or throws <see cref="FormatException"/>.</summary>
    public static ResourceScope Parse(string text) =>
        TryParse(text, out var scope) ? scope : throw new FormatException($"invalid scope '{text}'");

    /// <summary>
    /// Parses every scope in a list of query values; each value may hold several scopes separated by spaces
    /// (the OAuth2 form). Malformed scopes are skipped: a partial grant is not an error.
    /// </summary>
    public static IReadOnlyList<ResourceScope> ParseMany(IEnumerable<string?> values) =>
        values.SelectMany(v => (v ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(s => TryParse(s, out var scope) ? scope : null)
            .OfType<ResourceScope>()
            .ToList();

    public override string ToString() => $"{Type}:{Name}:{string.Join(',', Actions)}";
}
