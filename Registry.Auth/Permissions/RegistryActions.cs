namespace Registry.Auth.Permissions;

/// <summary>
/// What a caller may do to a repository. <see cref="Pull"/>, <see cref="Push"/> and <see cref="Delete"/> are the
/// token-auth scope actions; <see cref="Manage"/> covers the management API (visibility, repository delete).
/// </summary>
[Flags]
public enum RegistryActions
{
    None = 0,
    Pull = 1,
    Push = 2,
    Delete = 4,
    Manage = 8,
    All = Pull | Push | Delete | Manage,
}

/// <summary>Converts between <see cref="RegistryActions"/> and the scope action words (<c>pull</c>, <c>push</c>, …).</summary>
public static class RegistryActionNames
{
    /// <summary>The scope words in a stable order.</summary>
    public static readonly IReadOnlyList<(string Name, RegistryActions Action)> Known =
    [
        ("pull", RegistryActions.Pull), ("push", RegistryActions.Push),
        ("delete", RegistryActions.Delete), ("manage", RegistryActions.Manage),
    ];

    /// <summary>Parses one action word; <c>*</c> means every action. Unknown words yield <see cref="RegistryActions.None"/>.</summary>
    public static RegistryActions Parse(string word) => word switch
    {
        "*" => RegistryActions.All,
        _ => Known.FirstOrDefault(k => k.Name == word).Action,
    };

    /// <summary>Parses a list of action words, ignoring unknown ones (a partial grant is not an error).</summary>
    public static RegistryActions ParseAll(IEnumerable<string> words) =>
        words.Aggregate(RegistryActions.None, (all, word) => all | Parse(word));

    /// <summary>The action words for a set of actions, e.g. <c>["pull","push"]</c>.</summary>
    public static IReadOnlyList<string> Names(RegistryActions actions) =>
        Known.Where(k => actions.HasFlag(k.Action)).Select(k => k.Name).ToList();

    /// <summary>Parses a comma-separated list such as <c>pull,push</c>; returns false if any word is unknown.</summary>
    public static bool TryParseList(string? text, out RegistryActions actions)
    {
        actions = RegistryActions.None;
        if (string.IsNullOrWhiteSpace(text)) return false;
        foreach (var word in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var action = Parse(word);
            if (action == RegistryActions.None) return false;
            actions |= action;
        }
        return actions != RegistryActions.None;
    }
}
