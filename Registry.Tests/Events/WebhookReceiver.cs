using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Events;

/// <summary>
/// A webhook receiver: a small Kestrel app on a fixed loopback port (so it can be down, then come back on the same
/// URL) recording every POST and answering <see cref="Status"/>.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly ConcurrentQueue<Delivery> received = new();
    private readonly SemaphoreSlim arrived = new(0);
    private WebApplication? app;

    public sealed record Delivery(string ContentType, string? Signature, byte[] Body)
    {
        public JsonElement Json => JsonDocument.Parse(Body).RootElement;

        /// <summary>True when the signature header is the HMAC-SHA256 of the body under <paramref name="secret"/>.</summary>
        public bool SignedWith(string secret) =>
            Signature == "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Body));
    }

    // Held from construction to StartAsync, so a receiver that is "down" stays down: no other test's server can be
    // given its port meanwhile and answer in its place.
    private ReservedPort? reserved;

    public WebhookReceiver(int? port = null)
    {
        if (port is null) reserved = LoopbackPorts.Reserve();
        Port = port ?? reserved!.Port;
    }

    public int Port { get; }
    public string Url => $"http://127.0.0.1:{Port}/hook";
    public int Status { get; set; } = 200;
    public IReadOnlyList<Delivery> Received => [.. received];

    public async Task<WebhookReceiver> StartAsync()
    {
        reserved?.Dispose();
        reserved = null;
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{Port}");
        builder.Logging.ClearProviders();
        app = builder.Build();
        app.MapPost("/hook", async (HttpContext context) =>
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer);
            received.Enqueue(new Delivery(context.Request.ContentType ?? "", context.Request.Headers["X-Registry-Signature-256"], buffer.ToArray()));
            arrived.Release();
            return Results.StatusCode(Status);
        });
        await app.StartAsync();
        return this;
    }

    public async Task StopAsync()
    {
        if (app is null) return;
        await app.StopAsync();
        await app.DisposeAsync();
        app = null;
    }

    /// <summary>Waits until at least <paramref name="count"/> deliveries arrived; fails after <paramref name="timeout"/>.</summary>
    public async Task<IReadOnlyList<Delivery>> WaitForAsync(int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (received.Count < count)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || !await arrived.WaitAsync(left))
                Assert.Fail($"{received.Count} of {count} deliveries arrived within {timeout.TotalSeconds} s");
        }
        return Received;
    }

    public async ValueTask DisposeAsync()
    {
        reserved?.Dispose();
        await StopAsync();
    }
}
