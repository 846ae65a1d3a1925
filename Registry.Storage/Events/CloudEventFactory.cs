using System.Text.Json;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.SystemTextJson;

namespace Registry.Storage.Events;

/// <summary>Turns event log rows into CloudEvents 1.0 (JSON, structured mode) through the CNCF SDK.</summary>
/// See: https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/spec.md
public sealed class CloudEventFactory(EventsOptions options)
{
    /// <summary>The structured-mode content type.</summary>
    public const string ContentType = "application/cloudevents+json";

    /// <summary>
    /// The CloudEvents <c>sequence</c> extension: the event's position in the log (the feed's cursor), so a consumer
    /// can save its place after each event rather than after each page.
    /// See: https://github.com/cloudevents/spec/blob/main/cloudevents/extensions/sequence.md
    /// </summary>
    public static readonly CloudEventAttribute Sequence = CloudEventAttribute.CreateExtension("sequence", CloudEventAttributeType.String);

    private readonly JsonEventFormatter formatter = new();
    private readonly Uri source = new(options.Source, UriKind.RelativeOrAbsolute);

    /// <summary>The full CloudEvents type of a short one (<c>manifest.pushed</c> → <c>io.registry.manifest.pushed</c>).</summary>
    public string FullType(string shortType) => $"{options.TypePrefix}.{shortType}";

    public CloudEvent Create(EventEntity row) => new(extensionAttributes: [Sequence])
    {
        [Sequence] = row.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
        Id = row.EventId,
        Source = source,
        Type = FullType(row.Type),
        Subject = row.Repository.Length == 0 ? null : row.Repository,
        Time = new DateTimeOffset(DateTime.SpecifyKind(row.OccurredAt, DateTimeKind.Utc)),
        DataContentType = "application/json",
        Data = JsonDocument.Parse(row.DataJson).RootElement.Clone(),
    };

    /// <summary>The event as a JSON object (for the feed's page).</summary>
    public JsonElement ToJson(EventEntity row) => formatter.ConvertToJsonElement(Create(row));

    /// <summary>The structured-mode body of one event.</summary>
    public byte[] Encode(EventEntity row) => formatter.EncodeStructuredModeMessage(Create(row), out _).ToArray();
}
