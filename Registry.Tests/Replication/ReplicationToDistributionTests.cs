using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using System.Text;
using Registry.Tests.Auth.Http;
using Registry.Tests.Conformance;
using Registry.Tests.Infrastructure;
using static Registry.Tests.Replication.ReplicationTestKit;

namespace Registry.Tests.Replication;

/// <summary>
/// Push-mode replication to CNCF distribution (Debian's docker-registry, htpasswd Basic auth), checked with skopeo;
/// and a target that is down: retried with backoff, the error in the rule's status, copied once it answers.
/// </summary>
[Trait("Category", "Integration")]
public abstract class ReplicationToDistributionTests(TestDatabase database)
{
    private const string User = "replicator", Password = "replicator-secret-1";

    [Fact]
    public async Task ImagesAndIndexesArriveInDistributionAsSkopeoSeesThem()
    {
        await using var distribution = await DistributionRegistry.StartAsync((User, Password));
        await using var source = await AuthTestServer.StartAsync(database);
        await source.CreateOrganizationAsync("acme");
        var id = await CreateRuleAsync(source, "acme", new
        {
            repositories = "*", tags = "release-*", target = distribution.BaseAddress.ToString(), username = User, password = Password,
        });
        var (manifest, image) = await source.Admin.PushImageAsync("acme/app", "release-1", OciTestClient.RandomBytes(4000));
        var (index, children) = await PushIndexAsync(source.Admin, "acme/app", "release-2");

        var rule = await WaitForRuleAsync(source, "acme", id, r => r.Status().GetProperty("lastReplicated").GetString()?.Contains(index) == true);
        Assert.True(rule.Status().GetProperty("healthy").GetBoolean(), rule.ToString());
        var raw = await Skopeo.RunAsync("inspect", "--raw", "--tls-verify=false", "--creds", $"{User}:{Password}", $"docker://{distribution.HostPort}/acme/app:release-1");
        Assert.Equal(Encoding.UTF8.GetString(manifest), raw.TrimEnd('\n'));
        using var client = new HttpClient { BaseAddress = distribution.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{User}:{Password}")));
        await AssertSameManifestAsync(source.Admin, "acme/app", client, "acme/app", "release-2");
        foreach (var child in children) await AssertSameManifestAsync(source.Admin, "acme/app", client, "acme/app", child);
        Assert.Contains(image, await Skopeo.RunAsync("inspect", "--tls-verify=false", "--creds", $"{User}:{Password}", $"docker://{distribution.HostPort}/acme/app:release-1"));
    }

    [Fact]
    public async Task ATargetThatIsDownIsRetriedWithTheErrorInTheStatusAndCaughtUpWhenBack()
    {
        // Fast retries: 200 ms doubling up to 1 s.
        await using var source = await AuthTestServer.StartAsync(database, new Dictionary<string, string?>
        {
            ["Registry:Events:RetryBaseDelay"] = "00:00:00.2",
            ["Registry:Events:RetryMaxDelay"] = "00:00:01",
        });
        await source.CreateOrganizationAsync("acme");
        using var reserved = LoopbackPorts.Reserve();
        var port = reserved.Port;
        var id = await CreateRuleAsync(source, "acme", new { repositories = "*", target = $"http://127.0.0.1:{port}" });
        var (manifest, _) = await source.Admin.PushImageAsync("acme/app", "v1", OciTestClient.RandomBytes(500));

        var failing = await WaitForRuleAsync(source, "acme", id, r => r.Status().GetProperty("failedAttempts").GetInt32() >= 3);
        var status = failing.Status();
        Assert.False(status.GetProperty("healthy").GetBoolean());
        Assert.True(status.GetProperty("failedAttempts").GetInt32() >= 3, failing.ToString());
        Assert.Contains("refused", status.GetProperty("lastError").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(1, status.GetProperty("pending").GetInt32());
        Assert.True(status.GetProperty("lagSeconds").GetDouble() > 0);

        // The target comes up on that port: the same push is copied, and the status is healthy again.
        reserved.Dispose();
        await using var target = await RegistryServer.StartAsync(TestDatabase.Sqlite, configure: b => b.WebHost.UseUrls($"http://127.0.0.1:{port}"));
        var healed = await WaitForRuleAsync(source, "acme", id, r => r.Status().GetProperty("healthy").GetBoolean());
        Assert.True(healed.Status().GetProperty("healthy").GetBoolean(), healed.ToString());
        Assert.Equal(0, healed.Status().GetProperty("pending").GetInt32());
        await AssertSameManifestAsync(source.Admin, "acme/app", target.Client, "acme/app", "v1");
        Assert.Equal(manifest, await target.Client.GetByteArrayAsync("/v2/acme/app/manifests/v1"));
    }
}

public sealed class SqliteReplicationToDistributionTests() : ReplicationToDistributionTests(TestDatabase.Sqlite);
public sealed class PostgresReplicationToDistributionTests() : ReplicationToDistributionTests(TestDatabase.Postgres);
