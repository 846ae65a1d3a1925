using System.Net.Http.Headers;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Registry.Api.Secrets;
using Registry.Storage.Events;
using Registry.Storage.Metadata;

namespace Registry.Api.Events.Delivery;

/// <summary>Sends one claimed delivery and records the outcome (delivered, retry later with backoff, or failed for good).</summary>
public sealed class WebhookSender(
    RegistryDbContext db, OutboundGuard guard, CloudEventFactory cloudEvents, EventsOptions options, SecretsAtRest secrets,
    TimeProvider time, ILogger<WebhookSender> logger)
{
    public async Task SendAsync(WebhookDeliveryEntity delivery, CancellationToken cancellationToken)
    {
        var webhook = await db.Set<WebhookEntity>().AsNoTracking().FirstOrDefaultAsync(w => w.Id == delivery.WebhookId, cancellationToken);
        var row = await db.Set<EventEntity>().AsNoTracking().FirstOrDefaultAsync(e => e.Id == delivery.EventId, cancellationToken);
        var started = time.GetTimestamp();
        var (status, error) = webhook is null || row is null ? (null, "the webhook or the event was deleted")
            : !webhook.Enabled ? (null, "the webhook is disabled")
            : await PostAsync(webhook, row, cancellationToken);
        var state = await RecordAsync(delivery, status, error, giveUp: webhook is null || row is null || !webhook.Enabled, cancellationToken);
        DeliveryMetrics.RecordAttempt(state, time.GetElapsedTime(started));
    }

    private async Task<(int? Status, string? Error)> PostAsync(WebhookEntity webhook, EventEntity row, CancellationToken cancellationToken)
    {
        if (!WebhookUrl.IsAllowedScheme(webhook.Url)) return (null, "the URL is not http or https");
        string secret;
        try
        {
            secret = secrets.Reveal(SecretKind.WebhookSecret, webhook.Secret);
        }
        catch (CryptographicException)
        {
            return (null, "the stored secret cannot be decrypted: this replica lacks the data protection key (Registry:DataProtection:KeyDirectory must be shared); set the secret again");
        }
        var (body, contentType) = WebhookPayload.Build(webhook, row, cloudEvents);
        using var request = new HttpRequestMessage(HttpMethod.Post, webhook.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        request.Headers.Add(WebhookPayload.SignatureHeader, WebhookPayload.Sign(secret, body));
        request.Headers.UserAgent.ParseAdd("registry-webhooks/1");
        try
        {
            using var response = await guard.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            var status = (int)response.StatusCode;
            if (status is >= 200 and < 300) return (status, null);
            return (status, status is >= 300 and < 400 ? $"HTTP {status}: redirects are not followed" : $"HTTP {status}");
        }
        catch (HttpRequestException e)
        {
            return (null, e.InnerException is OutboundDeniedException denied ? denied.Message : e.Message);
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (null, $"no answer within {options.DeliveryTimeout.TotalSeconds:0.#} s");
        }
    }

    private async Task<DeliveryState> RecordAsync(WebhookDeliveryEntity delivery, int? status, string? error, bool giveUp, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var attempts = delivery.Attempts + 1;
        var state = error is null ? DeliveryState.Delivered
            : giveUp || now - DateTime.SpecifyKind(delivery.CreatedAt, DateTimeKind.Utc) >= options.GiveUpAfter ? DeliveryState.Failed
            : DeliveryState.Pending;
        var next = state == DeliveryState.Pending ? now + DeliveryBackoff.Delay(options, attempts) : now;
        if (error is not null)
            logger.LogInformation("Webhook {Webhook} delivery {Delivery} attempt {Attempt} failed ({Error}); {Outcome}",
                delivery.WebhookId, delivery.Id, attempts, error, state == DeliveryState.Failed ? "given up" : $"retry at {next:O}");
        var message = error is { Length: > 1000 } ? error[..1000] : error;
        await db.Set<WebhookDeliveryEntity>().Where(d => d.Id == delivery.Id).ExecuteUpdateAsync(set => set
            .SetProperty(d => d.State, state).SetProperty(d => d.Attempts, attempts).SetProperty(d => d.LastAttemptAt, now)
            .SetProperty(d => d.LastStatus, status).SetProperty(d => d.LastError, message)
            .SetProperty(d => d.NextAttemptAt, next).SetProperty(d => d.ClaimedUntil, now), cancellationToken);
        return state;
    }
}
