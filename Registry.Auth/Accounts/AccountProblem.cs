namespace Registry.Auth.Accounts;

/// <summary>Who changes an account, as the audit log records them.</summary>
public sealed record AccountActor(string Name, string? ClientAddress);

/// <summary>What kind of refusal an <see cref="AccountProblem"/> is; the host maps each to its status.</summary>
public enum AccountProblemKind
{
    /// <summary>The input breaks a rule (a name, a password); the message says what to fix.</summary>
    Invalid,
    /// <summary>The user, organization, member or team is not there.</summary>
    NotFound,
    /// <summary>The change would break an invariant: a namespace taken, an organization without owner.</summary>
    Conflict,
    /// <summary>The caller proved too little for this change (a wrong current password).</summary>
    Denied,
}

/// <summary>Why an account service refused a change; nothing was written.</summary>
public sealed record AccountProblem(AccountProblemKind Kind, string Message)
{
    public static AccountProblem Invalid(string message) => new(AccountProblemKind.Invalid, message);
    public static AccountProblem NotFound(string what) => new(AccountProblemKind.NotFound, $"{what} not found");
    public static AccountProblem Conflict(string message) => new(AccountProblemKind.Conflict, message);
    public static AccountProblem Denied(string message) => new(AccountProblemKind.Denied, message);
}
