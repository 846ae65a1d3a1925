using System.Text;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Auth.Http;

/// <summary>
/// One registry per database for the whole matrix: organization <c>acme</c> with a member of each role, two team
/// members, an outsider (owner of another organization), a robot, and one pushed image per visibility.
/// </summary>
public abstract class PermissionMatrixFixture(TestDatabase database) : IAsyncLifetime
{
    public AuthTestServer Auth { get; private set; } = null!;
    public string RobotLogin { get; private set; } = "";
    public string RobotSecret { get; private set; } = "";

    public static string RepositoryFor(string visibility) => $"acme/{visibility}-app";

    public async Task InitializeAsync()
    {
        Auth = await AuthTestServer.StartAsync(database);
        await Auth.CreateOrganizationAsync("acme");
        await Auth.CreateOrganizationAsync("other");
        foreach (var (user, role) in new[] { ("owner", "owner"), ("maintainer", "maintainer"), ("developer", "developer"), ("reader", "reader"),
                     ("developer-team", "developer"), ("reader-team", "reader") })
        {
            await Auth.CreateUserAsync(user);
            await Auth.SetMemberAsync("acme", user, role);
        }
        await Auth.CreateUserAsync("outsider");
        await Auth.SetMemberAsync("other", "outsider", "owner");
        await Auth.CreateTeamAsync("acme", "everything", "*", ["pull", "push", "delete"], "developer-team", "reader-team");
        (RobotLogin, RobotSecret) = await Auth.CreateRobotAsync("acme", "ci", "*", "pull", "push");
        foreach (var visibility in new[] { "private", "internal", "public" })
        {
            var repository = RepositoryFor(visibility);
            await Auth.Admin.PushImageAsync(repository, "v1", Encoding.UTF8.GetBytes($"layer of {repository}"));
            await Auth.SetVisibilityAsync(repository, visibility);
        }
    }

    /// <summary>Login and secret of a matrix caller; null for anonymous.</summary>
    public (string User, string Secret)? CredentialsOf(string caller) => caller switch
    {
        "anonymous" => null,
        "robot" => (RobotLogin, RobotSecret),
        "admin" => (AuthTestServer.AdminUser, AuthTestServer.AdminPassword),
        "developer+team" => ("developer-team", AuthTestServer.PasswordOf("developer-team")),
        "reader+team" => ("reader-team", AuthTestServer.PasswordOf("reader-team")),
        _ => (caller, AuthTestServer.PasswordOf(caller)),
    };

    public async Task DisposeAsync() => await Auth.DisposeAsync();
}

public sealed class SqlitePermissionMatrixFixture() : PermissionMatrixFixture(TestDatabase.Sqlite);
public sealed class PostgresPermissionMatrixFixture() : PermissionMatrixFixture(TestDatabase.Postgres);
