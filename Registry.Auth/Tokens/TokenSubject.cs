using Registry.Oci;
namespace Registry.Auth.Tokens;

/// <summary>Which credential a token was issued for; decides what is re-checked when the token is used.</summary>
public enum CredentialKind { Anonymous, Password, PersonalToken, Robot }

/// <summary>
/// Who a token speaks for. <paramref name="CredentialId"/> is the user, personal token or robot row, re-read on
/// every use so that a revoked robot or token (or a deleted user) stops working at once, token or not.
/// </summary>
/// <param name="Kind">The credential used to obtain the token.</param>
/// <param name="Name">The user name or robot name (<c>org+robot</c>); empty for anonymous.</param>
/// <param name="CredentialId">Row id of the user, personal access token or robot; 0 for anonymous.</param>
/// <param name="Stamp">For refresh tokens of password logins: the user's security stamp, which changes with the password.</param>
public sealed record TokenSubject(CredentialKind Kind, string Name, long CredentialId, string? Stamp = null)
{
    public static readonly TokenSubject Anonymous = new(CredentialKind.Anonymous, "", 0);
}

/// <summary>An issued token with the fields the token endpoint returns.</summary>
public sealed record IssuedToken(string Token, DateTimeOffset IssuedAt, int ExpiresIn);

/// <summary>A token that passed signature, issuer, audience and lifetime checks.</summary>
public sealed record ValidatedToken(TokenSubject Subject, IReadOnlyList<ResourceScope> Access, DateTimeOffset Expires);
