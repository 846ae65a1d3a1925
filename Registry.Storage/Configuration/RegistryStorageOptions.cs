using Registry.Storage.GarbageCollection;

namespace Registry.Storage.Configuration;

/// <summary>
/// The storage settings of the registry, bound from the <c>Registry</c> configuration section
/// (<c>Registry__DataDirectory</c>, <c>Registry__Database__Provider</c>, …).
/// </summary>
public sealed class RegistryStorageOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Registry";

    /// <summary>Where blobs, upload staging and the embedded SQLite database live. Default <c>./data</c>.</summary>
    public string DataDirectory { get; set; } = "./data";

    /// <summary>The metadata database.</summary>
    public DatabaseOptions Database { get; set; } = new();

    /// <summary>Online garbage collection (<c>Registry:Gc</c>).</summary>
    public GarbageCollectionOptions Gc { get; set; } = new();

    /// <summary>The data directory as an absolute path.</summary>
    public string DataDirectoryFullPath => Path.GetFullPath(DataDirectory);

    /// <summary>Every problem with these settings, each saying what to fix; empty when they are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(DataDirectory))
            problems.Add("Registry:DataDirectory is empty; set Registry__DataDirectory to a writable directory (default ./data).");
        var provider = Database.Provider?.Trim().ToLowerInvariant();
        if (provider is not (DatabaseProviders.Sqlite or DatabaseProviders.Postgres))
            problems.Add($"Registry:Database:Provider is '{Database.Provider}'; set Registry__Database__Provider to 'sqlite' or 'postgres'.");
        if (provider == DatabaseProviders.Postgres && string.IsNullOrWhiteSpace(Database.ConnectionString))
            problems.Add("Registry:Database:Provider is 'postgres' but Registry:Database:ConnectionString is empty; set Registry__Database__ConnectionString (e.g. 'Host=localhost;Username=registry;Password=…;Database=registry').");
        problems.AddRange(Gc.Validate());
        return problems;
    }
}

/// <summary>The metadata database settings (<c>Registry:Database</c>).</summary>
public sealed class DatabaseOptions
{
    /// <summary><c>sqlite</c> (default, a file under the data directory) or <c>postgres</c>.</summary>
    public string Provider { get; set; } = DatabaseProviders.Sqlite;

    /// <summary>The provider's connection string; for SQLite empty means <c>&lt;DataDirectory&gt;/registry.db</c>.</summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>Apply pending EF Core migrations at start. Default true.</summary>
    public bool Migrate { get; set; } = true;

    /// <summary>The provider name, trimmed and lower case.</summary>
    public string NormalizedProvider => Provider.Trim().ToLowerInvariant();
}

/// <summary>The supported metadata database providers.</summary>
public static class DatabaseProviders
{
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";
}
