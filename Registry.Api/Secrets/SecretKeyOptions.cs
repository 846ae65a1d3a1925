namespace Registry.Api.Secrets;

/// <summary>Where the data protection keys live, bound from <c>Registry:DataProtection</c>.</summary>
public sealed class SecretKeyOptions
{
    public const string Section = "Registry:DataProtection";

    /// <summary>The setting this one replaced; still read so deployments that set it keep their keys.</summary>
    public const string FormerReplicationSetting = "Registry:Replication:KeyDirectory";

    /// <summary>
    /// The key ring directory. Every replica must read the same one and it must be backed up: without its keys no stored
    /// secret (webhook secrets, replication passwords) can be decrypted. Default: <c>data-protection-keys</c> under the
    /// data directory.
    /// </summary>
    public string? KeyDirectory { get; set; }

    public IEnumerable<string> Validate()
    {
        if (KeyDirectory is { } directory && directory.Trim().Length == 0)
            yield return "Registry:DataProtection:KeyDirectory must be a directory path (or unset for <data>/data-protection-keys).";
    }
}
