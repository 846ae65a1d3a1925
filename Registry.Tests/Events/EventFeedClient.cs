using System.Net;
using System.Text.Json;

namespace Registry.Tests.Events;

/// <summary>Reads <c>GET /api/v1/events</c> pages in tests.</summary>
public static class EventFeedClient
{
    public sealed record Page(IReadOnlyList<JsonElement> Events, string Next);

    public static async Task<Page> GetEventsAsync(this HttpClient client, string query = "")
    {
        using var response = await client.GetAsync($"/api/v1/events{(query.Length > 0 ? "?" + query : "")}");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"the feed answered {(int)response.StatusCode}: {text}");
        var root = JsonDocument.Parse(text).RootElement;
        return new Page([.. root.GetProperty("events").EnumerateArray().Select(e => e.Clone())], root.GetProperty("next").GetString()!);
    }

    /// <summary>Every event after <paramref name="after"/>, following the cursor to the end.</summary>
    public static async Task<List<JsonElement>> AllEventsAsync(this HttpClient client, string extra = "", string after = "0")
    {
        var all = new List<JsonElement>();
        while (true)
        {
            var page = await client.GetEventsAsync($"after={after}&limit=50{(extra.Length > 0 ? "&" + extra : "")}");
            all.AddRange(page.Events);
            if (page.Events.Count == 0 || page.Next == after) return all;
            after = page.Next;
        }
    }

    public static string Type(this JsonElement cloudEvent) => cloudEvent.GetProperty("type").GetString()!;
    public static string? Subject(this JsonElement cloudEvent) => cloudEvent.TryGetProperty("subject", out var s) ? s.GetString() : null;
    public static string? DataString(this JsonElement cloudEvent, string name) =>
        cloudEvent.GetProperty("data").TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
