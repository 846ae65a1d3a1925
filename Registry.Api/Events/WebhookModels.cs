using Registry.Storage.Events;

namespace Registry.Api.Events;

/// <summary>POST body of <c>/api/v1/orgs/{org}/webhooks</c>; PATCH takes the same fields, each optional, plus <c>enabled</c>.</summary>
public sealed record WebhookRequest(string? Url, string? Secret, string[]? Events, string? Repositories, string? Format, bool? Enabled);

/// <summary>A webhook as the API shows it (never its secret).</summary>
public sealed record WebhookResponse(long Id, string? Organization, string Url, string[] Events, string? Repositories, string Format, bool Enabled,
    DateTime CreatedAt, IReadOnlyList<DeliveryResponse>? Deliveries = null)
{
    public static WebhookResponse From(WebhookEntity w, IReadOnlyList<DeliveryResponse>? deliveries = null) => new(
        w.Id, w.Organization, w.Url, w.Events.Length == 0 ? [] : w.Events.Split(','), w.Repositories, w.Format, w.Enabled,
        DateTime.SpecifyKind(w.CreatedAt, DateTimeKind.Utc), deliveries);
}

/// <summary>One delivery attempt record: the CloudEvents id and type, where it stands and the last outcome.</summary>
public sealed record DeliveryResponse(long Id, string EventId, string Type, string? Repository, string State, int Attempts,
    DateTime? LastAttemptAt, int? LastStatus, string? LastError, DateTime? NextAttemptAt);
