using Registry.Auth.Permissions;

namespace Registry.Api.Policies.Retention;

/// <summary>What is wrong with a retention rule, said so that the caller can fix it; null when it is fine.</summary>
public static class RetentionRuleValidation
{
    /// <summary>Ten years: beyond it a number of days is a typo, and DateTime arithmetic stays far from its limits.</summary>
    public const int MaxDays = 3650;

    public static string? Problem(RetentionRuleRequest? rule)
    {
        if (rule is null) return "a rule is an object such as {\"repositories\":\"app/*\",\"tags\":\"pr-*\",\"keepLast\":10}";
        if (!RepositoryPattern.TryParse(rule.Repositories, out _))
            return $"invalid repositories pattern '{rule.Repositories}': lower-case letters, digits, . _ - / and *";
        if (rule.Tags is not null && !PolicyEndpoints.IsTagPattern(rule.Tags))
            return $"invalid tags pattern '{rule.Tags}': letters, digits, . _ - and *, at most 128";
        if (rule.KeepLast is null && rule.OlderThanDays is null && rule.UntaggedOlderThanDays is null)
            return "give keepLast, olderThanDays or untaggedOlderThanDays (or several)";
        if (rule.KeepLast is < 0 or > 100_000) return "keepLast must be between 0 and 100000";
        if (rule.OlderThanDays is < 0 or > MaxDays) return $"olderThanDays must be between 0 and {MaxDays}";
        // At least a day: a manifest pushed a moment ago may be an index's child whose index is still on its way.
        if (rule.UntaggedOlderThanDays is < 1 or > MaxDays) return $"untaggedOlderThanDays must be between 1 and {MaxDays}";
        return null;
    }
}
