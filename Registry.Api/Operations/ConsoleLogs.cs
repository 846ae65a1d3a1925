using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace Registry.Api.Operations;

/// <summary>
/// Console logs as <c>Registry__Logging__Format</c> says: <c>text</c> (the default: one human-readable line per
/// entry, for a terminal) or <c>json</c> (one JSON object per line with the request id scope, for log shippers;
/// docker-compose sets it). EF Core's per-command Information logs are off in appsettings.json
/// (<c>Microsoft.EntityFrameworkCore.Database.Command</c>: Warning).
/// </summary>
public static class ConsoleLogs
{
    public const string Text = "text", Json = "json";

    public static void AddRegistryConsoleLogs(this WebApplicationBuilder builder)
    {
        var format = (builder.Configuration["Registry:Logging:Format"] ?? Text).Trim().ToLowerInvariant();
        if (format is not (Text or Json))
            throw new OptionsValidationException("Registry:Logging", typeof(string),
                [$"Registry__Logging__Format is '{format}'; set it to '{Text}' or '{Json}'"]);
        // The host already has the console provider; these pick its formatter (other providers, e.g. a test's, stay).
        if (format == Json)
        {
            builder.Logging.AddJsonConsole(json =>
            {
                json.IncludeScopes = true; // the hosting scope carries RequestId, RequestPath and TraceId
                json.UseUtcTimestamp = true;
                json.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            });
            return;
        }
        builder.Logging.AddSimpleConsole(text =>
        {
            text.SingleLine = true;
            text.UseUtcTimestamp = true;
            text.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            text.ColorBehavior = LoggerColorBehavior.Default; // colours on a terminal only
        });
    }
}
