using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Registry.Tests.Auth.Http;
using Registry.Tests.Conformance;
using Registry.Tests.Infrastructure;
using Registry.Tests.ScaleOut;
using Registry.Tests.TestImages;

namespace Registry.Tests.Events;

/// <summary>Webhook delivery against a real receiver on loopback: content, signature, retries, restarts and filters.</summary>
[Trait("Category", "Integration")]
public sealed class WebhookDeliveryTests : IDisposable
{
    private const string Secret = "s3cret-for-hmac";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly DirectoryInfo work = Directory.CreateTempSubdirectory("webhooks-");

    public void Dispose() => work.Delete(recursive: true);

    // Fast retries, so a receiver that comes back is reached within a second or so.
    private static Dictionary<string, string?> FastRetries(Dictionary<string, string?>? more = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Registry:Events:RetryBaseDelay"] = "00:00:00.200",
            ["Registry:Events:RetryMaxDelay"] = "00:00:01",
            ["Registry:Events:PollInterval"] = "00:00:00.200",
        };
        foreach (var (key, value) in more ?? []) settings[key] = value;
        return settings;
    }

    [Fact]
    public async Task ASkopeoPushArrivesAsASignedCloudEventWithTypeDigestAndTag()
    {
        await using var receiver = await new WebhookReceiver().StartAsync();
        await using var server = await RegistryServer.StartAsync(settings: FastRetries(new()
        {
            ["Registry:Events:Webhooks:0:Url"] = receiver.Url,
            ["Registry:Events:Webhooks:0:Secret"] = Secret,
            ["Registry:Events:Webhooks:0:Events:0"] = "manifest.pushed",
        }));
        var image = ConformanceImages.Echo("webhook");
        OciLayout.Write(work.FullName, ("v1", image));
        await Skopeo.CopyAsync($"oci:{work.FullName}:v1", $"docker://{server.BaseAddress.Authority}/ci/app:v1", "--preserve-digests");

        var delivery = Assert.Single(await receiver.WaitForAsync(1, Patience));
        Assert.Equal("application/cloudevents+json", delivery.ContentType.Split(';')[0]);
        Assert.True(delivery.SignedWith(Secret), $"signature {delivery.Signature} does not verify");
        Assert.False(delivery.SignedWith("another-secret"));
        var cloudEvent = delivery.Json;
        Assert.Equal("io.registry.manifest.pushed", cloudEvent.Type());
        Assert.Equal("ci/app", cloudEvent.Subject());
        Assert.Equal(image.Digest.ToString(), cloudEvent.DataString("digest"));
        Assert.Equal("v1", cloudEvent.DataString("tag"));
        // The feed serves the same event under the same id (receivers de-duplicate on it).
        var fromFeed = (await server.Client.AllEventsAsync("types=manifest.pushed")).Single();
        Assert.Equal(fromFeed.GetProperty("id").GetString(), cloudEvent.GetProperty("id").GetString());
        await Task.Delay(500);
        Assert.Single(receiver.Received); // repository.created was filtered out
    }

    [Fact]
    public async Task AReceiverDownDuringThePushGetsEverythingInOrderWhenItComesBack()
    {
        await using var auth = await AuthTestServer.StartAsync(TestDatabase.Sqlite, FastRetries());
        await auth.CreateOrganizationAsync("acme");
        var receiver = new WebhookReceiver(); // not started: the receiver is down
        var (retriesBefore, deliveredBefore) = (await AttemptsAsync(auth, "retry"), await AttemptsAsync(auth, "delivered"));
        var created = await AuthTestServer.Expect(await auth.Admin.PostAsJsonAsync("/api/v1/orgs/acme/webhooks",
            new { url = receiver.Url, secret = Secret, events = new[] { "manifest.pushed" }, repositories = "app/*" }), HttpStatusCode.Created);
        var id = created.GetProperty("id").GetInt64();
        Assert.False(created.TryGetProperty("secret", out _));

        var digests = new List<string>();
        foreach (var tag in new[] { "v1", "v2", "v3" })
            digests.Add((await auth.Admin.PushImageAsync("acme/app/web", tag, OciTestClient.RandomBytes(50))).Digest);
        await auth.Admin.PushImageAsync("acme/other", "v1", OciTestClient.RandomBytes(50)); // outside app/*
        await Task.Delay(1500);
        var pending = await AuthTestServer.Expect(await auth.Admin.GetAsync($"/api/v1/orgs/acme/webhooks/{id}"), HttpStatusCode.OK);
        var attempts = pending.GetProperty("deliveries").EnumerateArray().ToList();
        Assert.Equal(3, attempts.Count);
        Assert.All(attempts, d => Assert.Equal("pending", d.GetProperty("state").GetString()));
        Assert.Contains(attempts, d => d.GetProperty("attempts").GetInt32() >= 2 && d.GetProperty("lastError").GetString()!.Length > 0);

        await using (receiver)
        {
            await receiver.StartAsync();
            var received = await receiver.WaitForAsync(3, Patience);
            Assert.Equal(digests, received.Select(d => d.Json.DataString("digest")));
            Assert.All(received, d => Assert.True(d.SignedWith(Secret)));
        }
        // The receiver has the POST before the registry has recorded its answer: wait (bounded) for the records.
        var done = await AuthTestServer.Expect(await auth.Admin.GetAsync($"/api/v1/orgs/acme/webhooks/{id}"), HttpStatusCode.OK);
        for (var deadline = DateTime.UtcNow + Patience; DateTime.UtcNow < deadline
             && done.GetProperty("deliveries").EnumerateArray().Any(d => d.GetProperty("state").GetString() != "delivered"); await Task.Delay(100))
            done = await AuthTestServer.Expect(await auth.Admin.GetAsync($"/api/v1/orgs/acme/webhooks/{id}"), HttpStatusCode.OK);
        Assert.All(done.GetProperty("deliveries").EnumerateArray(), d =>
        {
            Assert.Equal("delivered", d.GetProperty("state").GetString());
            Assert.Equal(200, d.GetProperty("lastStatus").GetInt32());
        });
        // Prometheus shows the failed attempts and the deliveries (process-wide counters: other tests only add).
        Assert.True(await AttemptsAsync(auth, "retry") - retriesBefore >= 2);
        Assert.True(await AttemptsAsync(auth, "delivered") - deliveredBefore >= 3);
        var metrics = await auth.Anonymous().GetStringAsync("/metrics");
        Assert.Contains("registry_webhook_delivery_duration_seconds_count", metrics);
        Assert.Contains("registry_webhook_deliveries_pending", metrics);
    }

    private static async Task<double> AttemptsAsync(AuthTestServer auth, string outcome)
    {
        var name = $"registry_webhook_delivery_attempts_total{{outcome=\"{outcome}\"}} ";
        var line = (await auth.Anonymous().GetStringAsync("/metrics")).Split('\n').FirstOrDefault(l => l.StartsWith(name, StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line[name.Length..], System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task AnEventCommittedBeforeTheRegistryIsKilledIsDeliveredAfterTheRestart()
    {
        var receiver = new WebhookReceiver();
        var settings = new Dictionary<string, string>
        {
            ["Registry__DataDirectory"] = work.FullName,
            ["Registry__Database__Provider"] = "sqlite",
            ["Registry__Events__Webhooks__0__Url"] = receiver.Url,
            ["Registry__Events__Webhooks__0__Secret"] = Secret,
            ["Registry__Events__Webhooks__0__Events__0"] = "manifest.pushed",
            ["Registry__Events__RetryBaseDelay"] = "00:00:00.200",
            ["Registry__Events__RetryMaxDelay"] = "00:00:01",
        };
        string digest;
        await using (var doomed = await RegistryProcess.StartAsync(settings))
        {
            digest = (await doomed.Client.PushImageAsync("kill/app", "v1", OciTestClient.RandomBytes(50))).Digest;
            await doomed.KillAsync(); // SIGKILL: the receiver was down, so the event was committed but never delivered
        }
        await using (receiver)
        {
            await receiver.StartAsync();
            await Task.Delay(500);
            Assert.Empty(receiver.Received);
            await using var restarted = await RegistryProcess.StartAsync(settings);
            var delivery = Assert.Single(await receiver.WaitForAsync(1, Patience));
            Assert.Equal(digest, delivery.Json.DataString("digest"));
        }
    }

    [Fact]
    public async Task TwoReplicasOnOnePostgresDeliverEveryEventOnce()
    {
        await using var receiver = await new WebhookReceiver().StartAsync();
        var webhook = new Dictionary<string, string?>
        {
            ["Registry:Events:Webhooks:0:Url"] = receiver.Url,
            ["Registry:Events:Webhooks:0:Secret"] = Secret,
            ["Registry:Events:PollInterval"] = "00:00:00.100",
            // Replicas share the keys that decrypt the stored secret, as a deployment must (README, "Replicas").
            ["Registry:DataProtection:KeyDirectory"] = Path.Combine(work.FullName, "data-protection-keys"),
        };
        await using var first = await RegistryServer.StartAsync(TestDatabase.Postgres, webhook);
        var shared = new Dictionary<string, string?>(webhook)
        {
            ["Registry:Database:ConnectionString"] = first.Services.GetRequiredService<Registry.Storage.Configuration.RegistryStorageOptions>().Database.ConnectionString,
        };
        await using var second = await RegistryServer.StartAsync(TestDatabase.Postgres, shared);

        // Both replicas push (each push whole on one replica: their blob stores are separate).
        var pushes = Enumerable.Range(0, 12).Select(i => (i % 2 == 0 ? first : second).Client
            .PushImageAsync($"replicas/app{i % 3}", $"v{i}", OciTestClient.RandomBytes(20)));
        await Task.WhenAll(pushes);
        var expected = (await first.Client.AllEventsAsync()).Select(e => e.GetProperty("id").GetString()).ToList();
        Assert.Equal(15, expected.Count); // 3 repositories created + 12 manifests pushed

        await receiver.WaitForAsync(expected.Count, Patience);
        await Task.Delay(2000); // time for a duplicate to show up
        var ids = receiver.Received.Select(d => d.Json.GetProperty("id").GetString()).ToList();
        Assert.Equal(expected.Order(), ids.Order());
    }

    [Fact]
    public async Task DeniedNetworksRedirectsAndBadUrlsAreRefused()
    {
        await using var redirecting = await new WebhookReceiver { Status = 302 }.StartAsync();
        await using var auth = await AuthTestServer.StartAsync(TestDatabase.Sqlite, FastRetries(new() { ["Registry:Events:DeniedNetworks:0"] = "10.0.0.0/8" }));
        await auth.CreateOrganizationAsync("acme");
        foreach (var (url, problem) in new[] { ("ftp://example.com/hook", "http or https"), ("http://10.1.2.3/hook", "10.1.2.3"), ("not a url", "http or https") })
        {
            using var refused = await auth.Admin.PostAsJsonAsync("/api/v1/orgs/acme/webhooks", new { url, secret = Secret });
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Contains(problem, await refused.Content.ReadAsStringAsync());
        }
        using (var badType = await auth.Admin.PostAsJsonAsync("/api/v1/orgs/acme/webhooks", new { url = redirecting.Url, secret = Secret, events = new[] { "image.exploded" } }))
            Assert.Equal(HttpStatusCode.BadRequest, badType.StatusCode);

        var redirectHook = await CreateAsync(auth, redirecting.Url, "distribution");
        await auth.Admin.PushImageAsync("acme/app", "v1", OciTestClient.RandomBytes(50));
        var delivery = await WaitForAttemptAsync(auth, redirectHook);
        Assert.Equal(302, delivery.GetProperty("lastStatus").GetInt32());
        Assert.Contains("redirects are not followed", delivery.GetProperty("lastError").GetString());
        var envelope = redirecting.Received[0];
        Assert.Equal("application/vnd.docker.distribution.events.v1+json", envelope.ContentType);
        Assert.Equal("push", envelope.Json.GetProperty("events")[0].GetProperty("action").GetString());
        Assert.Equal("acme/app", envelope.Json.GetProperty("events")[0].GetProperty("target").GetProperty("repository").GetString());
    }

    [Fact]
    public async Task AHostNameThatResolvesIntoADeniedNetworkIsNeverConnected()
    {
        await using var receiver = await new WebhookReceiver().StartAsync();
        await using var auth = await AuthTestServer.StartAsync(TestDatabase.Sqlite, FastRetries(new() { ["Registry:Events:DeniedNetworks:0"] = "127.0.0.0/8" }));
        await auth.CreateOrganizationAsync("acme");
        // "localhost" passes the save-time check (it is a name); the connect-time check sees 127.0.0.1 and refuses.
        var hook = await CreateAsync(auth, $"http://localhost:{receiver.Port}/hook");
        await auth.Admin.PushImageAsync("acme/app", "v1", OciTestClient.RandomBytes(50));
        var delivery = await WaitForAttemptAsync(auth, hook);
        Assert.Contains("denied networks", delivery.GetProperty("lastError").GetString());
        Assert.Empty(receiver.Received);
    }

    private static async Task<long> CreateAsync(AuthTestServer auth, string url, string format = "cloudevents") =>
        (await AuthTestServer.Expect(await auth.Admin.PostAsJsonAsync("/api/v1/orgs/acme/webhooks",
            new { url, secret = Secret, events = new[] { "manifest.pushed" }, format }), HttpStatusCode.Created)).GetProperty("id").GetInt64();

    private static async Task<JsonElement> WaitForAttemptAsync(AuthTestServer auth, long id)
    {
        for (var deadline = DateTime.UtcNow + Patience; DateTime.UtcNow < deadline; await Task.Delay(200))
        {
            var webhook = await AuthTestServer.Expect(await auth.Admin.GetAsync($"/api/v1/orgs/acme/webhooks/{id}"), HttpStatusCode.OK);
            var attempted = webhook.GetProperty("deliveries").EnumerateArray().FirstOrDefault(d => d.GetProperty("attempts").GetInt32() > 0);
            if (attempted.ValueKind == JsonValueKind.Object) return attempted;
        }
        throw new TimeoutException("no delivery attempt was recorded");
    }
}
