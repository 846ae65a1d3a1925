namespace Registry.Api.Access;

/// <summary>What a request wants to do to a repository (the token scope's actions).</summary>
public enum RegistryAction
{
    Pull,
    Push,
    Delete,
}
