using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Registry.Storage.Events;

namespace Registry.Api.Events.Delivery;

/// <summary>
/// The body of one delivery, in the webhook's format, and its signature header
/// (<c>X-Registry-Signature-256: sha256=&lt;hex HMAC-SHA256 of the body keyed with the webhook's secret&gt;</c>).
/// </summary>
public static class WebhookPayload
{
    public const string SignatureHeader = "X-Registry-Signature-256";
    public const string DistributionContentType = "application/vnd.docker.distribution.events.v1+json";

    public static (byte[] Body, string ContentType) Build(WebhookEntity webhook, EventEntity row, CloudEventFactory cloudEvents) =>
        webhook.Format == WebhookFormats.Distribution
            ? (DistributionEnvelope(row), DistributionContentType)
            : (cloudEvents.Encode(row), CloudEventFactory.ContentType);

    public static string Sign(string secret, byte[] body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    // The envelope CNCF distribution's notifications send, for listeners written for it.
    // See: https://distribution.github.io/distribution/about/notifications/
    private static byte[] DistributionEnvelope(EventEntity row)
    {
        var data = JsonNode.Parse(row.DataJson)!.AsObject();
        var action = row.Type switch
        {
            EventTypes.ManifestPushed or EventTypes.ReferrerAdded or EventTypes.RepositoryCreated => "push",
            EventTypes.Pulled => "pull",
            _ => "delete",
        };
        var target = new JsonObject
        {
            ["mediaType"] = data["mediaType"]?.DeepClone(),
            ["size"] = data["size"]?.DeepClone(),
            ["digest"] = row.Digest,
            ["repository"] = row.Repository,
            ["tag"] = row.Tag,
        };
        var entry = new JsonObject
        {
            ["id"] = row.EventId,
            ["timestamp"] = DateTime.SpecifyKind(row.OccurredAt, DateTimeKind.Utc).ToString("O"),
            ["action"] = action,
            ["target"] = target,
            ["request"] = new JsonObject { ["addr"] = data["clientAddress"]?.DeepClone() },
            ["actor"] = new JsonObject { ["name"] = data["actor"]?["name"]?.DeepClone() },
        };
        return JsonSerializer.SerializeToUtf8Bytes(new JsonObject { ["events"] = new JsonArray(entry) });
    }
}
