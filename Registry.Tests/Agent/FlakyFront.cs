using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Registry.Tests.Agent;

/// <summary>
/// A reverse proxy on 127.0.0.1 in front of a real registry that fails requests the way a load balancer does while a
/// replica restarts: each distinct request (method and path) is answered with <c>status</c> for its first
/// <c>failures</c> attempts, then forwarded. Counts every attempt, so tests can tell retried from bounded.
/// </summary>
public sealed class FlakyFront : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly HttpClient upstream;
    private readonly ConcurrentDictionary<string, int> attempts = new();

    private FlakyFront(WebApplication app, HttpClient upstream) => (this.app, this.upstream) = (app, upstream);

    /// <summary><c>127.0.0.1:PORT</c>, as image references name it.</summary>
    public string Host => new Uri(app.Urls.First()).Authority;

    /// <summary>How many times "METHOD /path" was asked for.</summary>
    public int AttemptsOf(string method, string path) => attempts.GetValueOrDefault($"{method} {path}");

    /// <summary>Every request seen, as "METHOD /path" → attempts.</summary>
    public IReadOnlyDictionary<string, int> Attempts => attempts;

    /// <summary>Answers a request itself instead of forwarding it when it returns true (tests' own endpoints).</summary>
    public Func<HttpContext, Task<bool>>? Answer { get; set; }

    /// <summary>Copies a forwarded response's body (default: as fast as it comes), e.g. to hold a blob mid-transfer.</summary>
    public Func<HttpContext, Stream, Task>? CopyBody { get; set; }

    public static async Task<FlakyFront> StartAsync(Uri registry, int failures, HttpStatusCode status)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var front = new FlakyFront(app, new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = registry });
        app.Run(context => front.HandleAsync(context, failures, status));
        await app.StartAsync();
        return front;
    }

    private async Task HandleAsync(HttpContext context, int failures, HttpStatusCode status)
    {
        if (Answer is { } answer && await answer(context)) return;
        var key = $"{context.Request.Method} {context.Request.Path}";
        if (attempts.AddOrUpdate(key, 1, (_, n) => n + 1) <= failures)
        {
            context.Response.StatusCode = (int)status;
            return;
        }
        using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), context.Request.Path + context.Request.QueryString);
        if (context.Request.ContentLength is not null || context.Request.Headers.TransferEncoding.Count > 0)
            request.Content = new StreamContent(context.Request.Body);
        foreach (var (name, values) in context.Request.Headers)
        {
            if (name.Equals("Host", StringComparison.OrdinalIgnoreCase)) continue;
            if (!request.Headers.TryAddWithoutValidation(name, values.ToArray())) request.Content?.Headers.TryAddWithoutValidation(name, values.ToArray());
        }
        using var response = await upstream.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
        context.Response.StatusCode = (int)response.StatusCode;
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)) continue;
            context.Response.Headers[name] = values.Select(v => v.Replace(upstream.BaseAddress!.Authority, Host)).ToArray();
        }
        await using var body = await response.Content.ReadAsStreamAsync(context.RequestAborted);
        await (CopyBody ?? ((c, b) => b.CopyToAsync(c.Response.Body, c.RequestAborted)))(context, body);
    }

    public async ValueTask DisposeAsync()
    {
        upstream.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
