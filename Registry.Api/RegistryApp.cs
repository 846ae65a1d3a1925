using Registry.Api.Operations;

namespace Registry.Api;

/// <summary>
/// Builds the registry's web application. Program.cs runs it; tests start the same application on
/// Kestrel on loopback (http://127.0.0.1:0) with their own configuration.
/// </summary>
public static class RegistryApp
{
    public static WebApplication Create(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        configure?.Invoke(builder);
        builder.AddRegistryOperations();
        var app = builder.Build();
        app.UseRegistryOperations();
        // See: https://github.com/opencontainers/distribution-spec/blob/main/spec.md#determining-support
        app.MapGet("/v2/", (HttpResponse response) =>
        {
            response.Headers["Docker-Distribution-API-Version"] = "registry/2.0";
            return Results.Json(new { });
        });
        return app;
    }
}
