using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Registry.Api.Secrets;
using Registry.Storage.Events;
using Registry.Storage.Metadata;
using Registry.Storage.Replication;
using Registry.Tests.Auth.Http;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Events;

/// <summary>
/// Webhook secrets and replication passwords are encrypted at rest (data protection, <c>protected:</c> marker), and
/// rows stored before that (a clear webhook secret, an unmarked replication password) keep working and get upgraded.
/// </summary>
[Trait("Category", "Integration")]
public abstract class WebhookSecretsAtRestTests(TestDatabase database)
{
    protected const string Secret = "hmac-key-that-must-not-be-stored";
    private const string ConfigSecret = "registry-wide-hmac-key", LegacySecret = "written-in-clear-long-ago";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static Dictionary<string, string?> Settings(string? configuredUrl = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Registry:Events:PollInterval"] = "00:00:00.200",
            ["Registry:Events:RetryBaseDelay"] = "00:00:00.200",
        };
        if (configuredUrl is null) return settings;
        settings["Registry:Events:Webhooks:0:Url"] = configuredUrl;
        settings["Registry:Events:Webhooks:0:Secret"] = ConfigSecret;
        return settings;
    }

    [Fact]
    public async Task TheStoredSecretIsEncryptedNeverReturnedAndDeliveriesAreSignedWithTheSecret()
    {
        await using var receiver = await new WebhookReceiver().StartAsync();
        await using var configured = await new WebhookReceiver().StartAsync();
        var logs = new CapturingLoggerProvider();
        var settings = Settings(configured.Url);
        settings["Logging:LogLevel:Default"] = "Trace";
        await using var auth = await AuthTestServer.StartAsync(database, settings, builder => builder.Logging.AddProvider(logs));
        await auth.CreateOrganizationAsync("acme");
        var created = await AuthTestServer.Expect(await auth.Admin.PostAsJsonAsync("/api/v1/orgs/acme/webhooks",
            new { url = receiver.Url, secret = Secret, events = new[] { "manifest.pushed" } }), HttpStatusCode.Created);
        var id = created.GetProperty("id").GetInt64();
        foreach (var answer in new[] { created.ToString(), await auth.Admin.GetStringAsync("/api/v1/orgs/acme/webhooks"),
                     await auth.Admin.GetStringAsync($"/api/v1/orgs/acme/webhooks/{id}") })
            Assert.DoesNotContain(Secret, answer);

        await using (var scope = auth.Server.CreateScope())
        {
            var rows = await scope.ServiceProvider.GetRequiredService<RegistryDbContext>().Set<WebhookEntity>().AsNoTracking().ToListAsync();
            var secrets = scope.ServiceProvider.GetRequiredService<SecretsAtRest>();
            foreach (var (row, secret) in new[] { (rows.Single(w => w.Id == id), Secret), (rows.Single(w => w.ConfigName == "config:0"), ConfigSecret) })
            {
                Assert.StartsWith(SecretsAtRest.Marker, row.Secret);
                Assert.DoesNotContain(secret, row.Secret);
                Assert.Equal(secret, secrets.Reveal(SecretKind.WebhookSecret, row.Secret));
            }
        }

        await auth.Admin.PushImageAsync("acme/app", "v1", OciTestClient.RandomBytes(50));
        var delivery = (await receiver.WaitForAsync(1, Patience))[0];
        Assert.True(delivery.SignedWith(Secret), $"signature {delivery.Signature} does not verify with the secret");
        var toConfigured = await configured.WaitForAsync(1, Patience);
        Assert.Contains(toConfigured, d => d.SignedWith(ConfigSecret));
        // The longest secret the API takes, in characters of three UTF-8 bytes: its protected form must fit the column.
        var longest = new string('€', 512);
        await AuthTestServer.Expect(await auth.Admin.PatchAsJsonAsync($"/api/v1/orgs/acme/webhooks/{id}", new { secret = longest }), HttpStatusCode.OK);
        await using (var scope = auth.Server.CreateScope())
        {
            var stored = await scope.ServiceProvider.GetRequiredService<RegistryDbContext>().Set<WebhookEntity>().Where(w => w.Id == id).Select(w => w.Secret).SingleAsync();
            Assert.Equal(longest, scope.ServiceProvider.GetRequiredService<SecretsAtRest>().Reveal(SecretKind.WebhookSecret, stored));
        }
        Assert.NotEmpty(logs.Lines);
        Assert.All(logs.Lines, line => Assert.True(!line.Contains(Secret) && !line.Contains(ConfigSecret), $"a secret was logged: {line}"));
    }

    [Fact]
    public async Task SecretsStoredBeforeTheyWereProtectedKeepWorkingAndAreProtectedAtTheNextStart()
    {
        await using var receiver = await new WebhookReceiver().StartAsync();
        await using var auth = await AuthTestServer.StartAsync(database, Settings());
        await auth.CreateOrganizationAsync("acme");
        var hook = await AuthTestServer.Expect(await auth.Admin.PostAsJsonAsync("/api/v1/orgs/acme/webhooks",
            new { url = receiver.Url, secret = Secret, events = new[] { "manifest.pushed" } }), HttpStatusCode.Created);
        var hookId = hook.GetProperty("id").GetInt64();
        const string password = "target-password-from-before";
        var rule = await AuthTestServer.Expect(await auth.Admin.PostAsJsonAsync("/api/v1/orgs/acme/replications",
            new { repositories = "nothing-matches/*", target = "http://127.0.0.1:9", username = "robot", password }), HttpStatusCode.Created);
        var ruleId = rule.GetProperty("id").GetInt64();
        // What the rows looked like before: the webhook secret in clear, the replication password protected without the marker.
        await using (var scope = auth.Server.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<RegistryDbContext>();
            await db.Set<WebhookEntity>().Where(w => w.Id == hookId).ExecuteUpdateAsync(s => s.SetProperty(w => w.Secret, LegacySecret));
            var stored = await db.Set<ReplicationRuleEntity>().Where(r => r.Id == ruleId).Select(r => r.ProtectedPassword).SingleAsync();
            await db.Set<ReplicationRuleEntity>().Where(r => r.Id == ruleId)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.ProtectedPassword, stored![SecretsAtRest.Marker.Length..]));
        }

        // A clear row (as an older replica would still write it) is delivered, signed with that secret.
        await auth.Admin.PushImageAsync("acme/app", "v1", OciTestClient.RandomBytes(50));
        Assert.True((await receiver.WaitForAsync(1, Patience))[0].SignedWith(LegacySecret));

        await auth.Server.StopAsync();
        await auth.Server.StartAsync();
        await using (var scope = auth.Server.CreateScope())
        {
            await scope.ServiceProvider.GetRequiredService<StoredSecretsUpgrade>().Completed.WaitAsync(Patience);
            var db = scope.ServiceProvider.GetRequiredService<RegistryDbContext>();
            var secrets = scope.ServiceProvider.GetRequiredService<SecretsAtRest>();
            var webhookSecret = await db.Set<WebhookEntity>().Where(w => w.Id == hookId).Select(w => w.Secret).SingleAsync();
            Assert.StartsWith(SecretsAtRest.Marker, webhookSecret);
            Assert.DoesNotContain(LegacySecret, webhookSecret);
            Assert.Equal(LegacySecret, secrets.Reveal(SecretKind.WebhookSecret, webhookSecret));
            var replicationPassword = await db.Set<ReplicationRuleEntity>().Where(r => r.Id == ruleId).Select(r => r.ProtectedPassword!).SingleAsync();
            Assert.Equal(password, secrets.Reveal(SecretKind.ReplicationPassword, replicationPassword));
        }
        using var admin = auth.Basic(AuthTestServer.AdminUser, AuthTestServer.AdminPassword); // the port changed
        await admin.PushImageAsync("acme/app", "v2", OciTestClient.RandomBytes(50));
        var deliveries = await receiver.WaitForAsync(2, Patience);
        Assert.True(deliveries[1].SignedWith(LegacySecret), $"signature {deliveries[1].Signature} does not verify after the upgrade");
    }
}

public sealed class WebhookSecretsAtRestTestsOnSqlite() : WebhookSecretsAtRestTests(TestDatabase.Sqlite)
{
    [Theory]
    [InlineData("Registry:DataProtection:KeyDirectory")]
    [InlineData("Registry:Replication:KeyDirectory")] // the former setting: deployments that set it keep their keys
    public async Task TheKeyRingLivesInTheConfiguredDirectory(string setting)
    {
        var keys = Directory.CreateTempSubdirectory("registry-keys-");
        try
        {
            await using var auth = await AuthTestServer.StartAsync(TestDatabase.Sqlite, new Dictionary<string, string?> { [setting] = keys.FullName });
            await auth.CreateOrganizationAsync("acme");
            await AuthTestServer.Expect(await auth.Admin.PostAsJsonAsync("/api/v1/orgs/acme/webhooks",
                new { url = "http://127.0.0.1:9/hook", secret = Secret }), HttpStatusCode.Created);
            Assert.NotEmpty(keys.GetFiles("key-*.xml"));
            Assert.False(Directory.Exists(Path.Combine(auth.Server.DataDirectory, "data-protection-keys")));
        }
        finally
        {
            keys.Delete(recursive: true);
        }
    }
}

public sealed class WebhookSecretsAtRestTestsOnPostgres() : WebhookSecretsAtRestTests(TestDatabase.Postgres);
