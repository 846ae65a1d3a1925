namespace Registry.Api.Policies.Retention;

/// <summary>
/// Retention settings, bound from <c>Registry:Retention</c>. <see cref="Schedule"/> is an interval in the .NET
/// TimeSpan format (<c>Registry__Retention__Schedule=1.00:00:00</c> runs daily); zero, the default, turns it off.
/// </summary>
public sealed class RetentionOptions
{
    public const string Section = "Registry:Retention";

    public TimeSpan Schedule { get; set; } = TimeSpan.Zero;

    public IEnumerable<string> Validate()
    {
        if (Schedule < TimeSpan.Zero) yield return "Registry:Retention:Schedule is negative; set Registry__Retention__Schedule to 0 (off) or e.g. 1.00:00:00 (daily).";
    }
}
