using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Data.Sqlite;
using Registry.Api;
using Registry.Storage.Configuration;
using Registry.Storage.Metadata;

namespace Registry.Tests.Infrastructure;

/// <summary>
/// The REAL registry (RegistryApp.Create) on Kestrel at http://127.0.0.1:0 with a temp data directory
/// and SQLite or a fresh PostgreSQL database. It can be stopped and started again on the same data, and
/// takes extra configuration (<c>"Registry:…"</c> keys) and service overrides for other modules' tests.
/// <code>
/// await using var server = await RegistryServer.StartAsync(TestDatabase.Postgres);
/// var response = await server.Client.GetAsync("/v2/");
/// </code>
/// </summary>
public sealed class RegistryServer : IAsyncDisposable
{
    private readonly Dictionary<string, string?> settings;
    private readonly Action<WebApplicationBuilder>? configure;
    private readonly PostgresTestDatabase? postgres;
    private WebApplication? app;

    private RegistryServer(string dataDirectory, Dictionary<string, string?> settings, Action<WebApplicationBuilder>? configure, PostgresTestDatabase? postgres)
    {
        DataDirectory = dataDirectory;
        this.settings = settings;
        this.configure = configure;
        this.postgres = postgres;
    }

    /// <summary>The temp directory holding blobs, uploads and (for SQLite) the database.</summary>
    public string DataDirectory { get; }

    /// <summary>Where the server listens now (the port changes on every start).</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>A client for <see cref="BaseAddress"/>, renewed on every start.</summary>
    public HttpClient Client { get; private set; } = null!;

    /// <summary>The running application's services (to reach the DbContext or the blob store in assertions).</summary>
    public IServiceProvider Services => app?.Services ?? throw new InvalidOperationException("server is stopped");

    /// <summary>Errors the server logged (across restarts), for failure messages.</summary>
    public ErrorLog Errors { get; } = new();

    public TestDatabase Database => postgres is null ? TestDatabase.Sqlite : TestDatabase.Postgres;

    /// <summary>
    /// Starts a server. <paramref name="settings"/> override configuration keys (e.g. "Registry:Auth:…");
    /// <paramref name="configure"/> runs on the builder before the registry's own services are added.
    /// </summary>
    public static async Task<RegistryServer> StartAsync(
        TestDatabase database = TestDatabase.Sqlite,
        IReadOnlyDictionary<string, string?>? settings = null,
        Action<WebApplicationBuilder>? configure = null)
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), $"registry-test-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dataDirectory);
        var postgres = database == TestDatabase.Postgres ? await PostgresTestDatabase.CreateAsync() : null;
        var all = new Dictionary<string, string?>
        {
            ["Registry:DataDirectory"] = dataDirectory,
            ["Registry:Database:Provider"] = database == TestDatabase.Postgres ? "postgres" : "sqlite",
            ["Registry:Database:ConnectionString"] = postgres?.ConnectionString ?? "",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) all[key] = value;
        var server = new RegistryServer(dataDirectory, all, configure, postgres);
        await server.StartAsync();
        return server;
    }

    /// <summary>Starts the server (again) on the same data directory and database.</summary>
    public async Task StartAsync()
    {
        if (app is not null) throw new InvalidOperationException("server is already running");
        app = RegistryApp.Create([], builder =>
        {
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Configuration.AddInMemoryCollection(settings);
            builder.Logging.AddProvider(Errors);
            configure?.Invoke(builder);
        });
        await app.StartAsync();
        BaseAddress = new Uri(app.Urls.First());
        Client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
    }

    /// <summary>Stops the server; the data directory and database stay for <see cref="StartAsync()"/>.</summary>
    public async Task StopAsync()
    {
        if (app is null) return;
        Client.Dispose();
        var options = app.Services.GetRequiredService<RegistryStorageOptions>();
        var sqlite = options.Database.NormalizedProvider == DatabaseProviders.Sqlite ? MetadataDatabase.SqliteConnectionString(options) : null;
        await app.StopAsync();
        await app.DisposeAsync();
        app = null;
        // Only this server's pooled handles: clearing every pool would close (and checkpoint) the databases of the
        // servers other tests run in this process at the same moment.
        if (sqlite is not null) SqliteConnection.ClearPool(new SqliteConnection(sqlite));
    }

    /// <summary>A scope of the running application's services.</summary>
    public AsyncServiceScope CreateScope() => Services.CreateAsyncScope();

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        if (postgres is not null) await postgres.DisposeAsync();
        try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { }
    }
}
