using Registry.Tests.Infrastructure;

namespace Registry.Tests.Auth.Http;

/// <summary>
/// One auth-on registry (<see cref="AuthTestServer"/>) shared by the tests of a class (xunit class fixture), so a
/// class pays one start, one migration and one bootstrap-admin hash instead of one per test. xunit runs the tests of
/// a class one after another, never at once; they stay independent by giving each test its own organizations, users
/// and repositories (never a name another test of the class uses), and by not asserting on registry-wide totals.
/// A test that needs other settings or an empty registry starts its own server with <see cref="Database"/>.
/// Subclass to change <see cref="Settings"/> or to seed what every test of the class reads but none changes.
/// <code>
/// public abstract class WidgetTests(AuthServerFixture fixture) { AuthTestServer auth => fixture.Auth; … }
/// public sealed class SqliteWidgetTests(SqliteAuthServerFixture fixture) : WidgetTests(fixture), IClassFixture&lt;SqliteAuthServerFixture&gt;;
/// </code>
/// </summary>
public abstract class AuthServerFixture(TestDatabase database) : IAsyncLifetime
{
    public TestDatabase Database => database;

    public AuthTestServer Auth { get; private set; } = null!;

    /// <summary>Configuration keys on top of <see cref="AuthTestServer"/>'s defaults.</summary>
    protected virtual IDictionary<string, string?>? Settings => null;

    public async Task InitializeAsync()
    {
        Auth = await AuthTestServer.StartAsync(database, Settings);
        await SeedAsync(Auth);
    }

    /// <summary>Creates what the tests of the class share (read-only for them); nothing by default.</summary>
    protected virtual Task SeedAsync(AuthTestServer auth) => Task.CompletedTask;

    public async Task DisposeAsync() => await Auth.DisposeAsync();
}

public sealed class SqliteAuthServerFixture() : AuthServerFixture(TestDatabase.Sqlite);

public sealed class PostgresAuthServerFixture() : AuthServerFixture(TestDatabase.Postgres);
