using Registry.Api.Auth;
using Registry.Auth.Tokens;
using Registry.Storage.Events;

namespace Registry.Api.Events;

/// <summary>Fills the request scope's <see cref="EventOrigin"/> from the authenticated caller and the connection.</summary>
public static class EventOriginBinder
{
    public static async Task BindAsync(HttpContext context)
    {
        var origin = context.RequestServices.GetRequiredService<EventOrigin>();
        origin.ClientAddress = context.Connection.RemoteIpAddress?.ToString();
        // Without auth there is no authenticator and every caller is anonymous.
        if (context.RequestServices.GetService<RequestAuthenticator>() is not { } authenticator) return;
        var caller = await authenticator.AuthenticateAsync(context);
        if (!caller.IsIdentified) return;
        origin.Actor = caller.Subject.Name;
        origin.ActorKind = caller.Subject.Kind == CredentialKind.Robot ? "robot" : "user";
    }
}
