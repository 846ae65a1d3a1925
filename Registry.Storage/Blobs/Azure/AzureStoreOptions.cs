namespace Registry.Storage.Blobs.Azure;

/// <summary>The Azure Blob store settings (<c>Registry:Storage:Azure</c>, e.g. <c>Registry__Storage__Azure__Container</c>).</summary>
public sealed class AzureStoreOptions
{
    /// <summary>A storage account connection string with an account key (needed to sign SAS read URLs).</summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>The container; created at start when missing.</summary>
    public string Container { get; set; } = "";

    /// <summary>Answer blob GETs with a redirect to a SAS URL instead of streaming. Default false.</summary>
    public bool RedirectReads { get; set; }

    /// <summary>How long a SAS read URL stays valid. Default 15 minutes.</summary>
    public TimeSpan RedirectExpiry { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Every problem with these settings, each saying what to set.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(ConnectionString) || !ConnectionString.Contains("AccountName=", StringComparison.OrdinalIgnoreCase))
            problems.Add("Registry:Storage:Azure:ConnectionString is empty or has no AccountName; set Registry__Storage__Azure__ConnectionString to the storage account's connection string.");
        if (string.IsNullOrWhiteSpace(Container) || Container.Length is < 3 or > 63
            || Container.Any(c => c is not (>= 'a' and <= 'z' or >= '0' and <= '9' or '-')) || Container.StartsWith('-') || Container.Contains("--"))
            problems.Add($"Registry:Storage:Azure:Container is '{Container}'; set Registry__Storage__Azure__Container to 3-63 lower-case letters, digits or single '-'.");
        if (RedirectExpiry <= TimeSpan.Zero || RedirectExpiry > TimeSpan.FromDays(7))
            problems.Add("Registry:Storage:Azure:RedirectExpiry must be between 1 second and 7 days.");
        return problems;
    }
}
