namespace Registry.Api.Events.Delivery;

/// <summary>Registers webhook delivery: the guarded client, the per-pass services and the worker, and the pull-count flusher.</summary>
public static class DeliveryRegistration
{
    public static IServiceCollection AddWebhookDelivery(this IServiceCollection services)
    {
        services.AddSingleton<OutboundGuard>();
        services.AddScoped<WebhookFanOut>();
        services.AddScoped<DeliveryClaimer>();
        services.AddScoped<WebhookSender>();
        services.AddScoped<ConfiguredWebhooks>();
        services.AddHostedService<WebhookDeliveryWorker>();
        services.AddHostedService<PullCountFlusher>();
        return services;
    }
}
