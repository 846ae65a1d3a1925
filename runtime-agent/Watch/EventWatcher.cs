using System.Net;
using System.Text.Json;
using RuntimeAgent.Registry;
using RuntimeAgent.Store;

namespace RuntimeAgent.Watch;

/// <summary>
/// Follows a registry's event feed (<c>GET /api/v1/events</c>, long-polling) and pulls every newly pushed tag
/// that matches, printing one line per image, each pull's progress shown as `pull` shows it (bars on a terminal,
/// lines every few seconds per layer otherwise, nothing with <see cref="Quiet"/>). The cursor moves past each event once it is handled, so a
/// restart resumes exactly there; while the registry is unreachable it backs off (1 s doubling to 30 s).
/// </summary>
public sealed class EventWatcher(ImageStore store, string registry, IReadOnlyList<string> repositories, IReadOnlyList<string> tags,
    bool insecure, TextWriter output, TextWriter errors)
{
    private const int WaitSeconds = 30;

    public Cli.ProgressStyle Progress { get; init; }

    public bool Quiet { get; init; }

    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    public async Task RunAsync(CancellationToken ct)
    {
        var cursor = new WatchCursor(store.Layout.Root, registry);
        var after = cursor.Load();
        using var client = new RegistryClient(registry, () => store.Credentials.Find(registry), insecure);
        var backoff = TimeSpan.FromSeconds(1);
        // The feed shows what the caller may pull: present credentials by answering the /v2/ challenge first.
        var identified = false;
        while (!ct.IsCancellationRequested)
        {
            JsonElement page;
            try
            {
                if (!identified) { await client.CheckAccessAsync(ct); identified = true; }
                page = await ReadPageAsync(client, after, ct);
                backoff = TimeSpan.FromSeconds(1);
            }
            catch (Exception e) when (!ct.IsCancellationRequested && e is HttpRequestException or IOException or RegistryException or TaskCanceledException)
            {
                errors.WriteLine($"runtime-agent: {registry} unreachable ({e.Message}); retrying in {backoff.TotalSeconds:0} s");
                await Task.Delay(backoff, ct);
                backoff = backoff * 2 > MaxBackoff ? MaxBackoff : backoff * 2;
                continue;
            }
            foreach (var cloudEvent in page.GetProperty("events").EnumerateArray())
            {
                await HandleAsync(cloudEvent, ct);
                after = cloudEvent.GetProperty("sequence").GetString()!;
                cursor.Save(after);
            }
            var next = page.GetProperty("next").GetString()!;
            if (next != after) cursor.Save(after = next); // events hidden from us or filtered out: skip past them
        }
    }

    private async Task<JsonElement> ReadPageAsync(RegistryClient client, string after, CancellationToken ct)
    {
        var query = $"api/v1/events?after={Uri.EscapeDataString(after)}&wait={WaitSeconds}&types=manifest.pushed";
        if (repositories.Count > 0) query += "&repositories=" + Uri.EscapeDataString(string.Join(',', repositories));
        using var response = await client.SendAsync(() => new HttpRequestMessage(HttpMethod.Get, query), HttpCompletionOption.ResponseContentRead, ct);
        if (response.StatusCode != HttpStatusCode.OK)
            throw await RegistryException.FromResponseAsync($"{registry} event feed", response, ct);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStreamAsync(ct));
        return document.RootElement.Clone();
    }

    private async Task HandleAsync(JsonElement cloudEvent, CancellationToken ct)
    {
        var data = cloudEvent.GetProperty("data");
        // Untagged pushes are index children and artifacts (signatures, SBOMs), not images to prefetch.
        if (!data.TryGetProperty("tag", out var tagValue) || tagValue.GetString() is not { } tag) return;
        if (tags.Count > 0 && !tags.Any(pattern => TagPattern.Matches(pattern, tag))) return;
        var repository = data.GetProperty("repository").GetString()!;
        var digest = data.GetProperty("digest").GetString()!;
        // By digest: the tag may have moved on since; this event is about these bytes.
        var reference = $"{registry}/{repository}@{digest}";
        try
        {
            var record = await Cli.ProgressDisplay.PullAsync(Progress, Quiet ? null : output,
                progress => store.PullAsync(reference, new PullOptions(insecure, Progress: progress), ct));
            output.WriteLine($"pulled {registry}/{repository}:{tag} {record.Digest}");
        }
        catch (Exception e) when (e is RegistryException or ImageNotFoundException or Unpack.LayerRefusedException or FormatException)
        {
            // Deleted since, not an image, or refused: report it and go on rather than stall the feed.
            errors.WriteLine($"runtime-agent: skipped {registry}/{repository}:{tag}: {e.Message}");
        }
    }
}
