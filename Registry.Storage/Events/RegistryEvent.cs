namespace Registry.Storage.Events;

/// <summary>
/// A change about to be recorded: what happened to which repository. Who did it and from where come from the
/// scope's <see cref="EventOrigin"/> when the event is written.
/// </summary>
/// <param name="Type">A short type from <see cref="EventTypes"/>.</param>
/// <param name="Repository">The repository; empty for registry-wide events (a blob swept by garbage collection).</param>
/// <param name="Digest">The manifest or blob digest, when there is one.</param>
/// <param name="Tag">The tag pushed or deleted, when there is one.</param>
/// <param name="MediaType">The manifest's media type, when known.</param>
/// <param name="Size">The manifest's or blob's size in bytes, when known.</param>
/// <param name="Subject">For <c>referrer.added</c>: the digest of the manifest referred to.</param>
/// <param name="ArtifactType">For <c>referrer.added</c>: the referrer's artifact type.</param>
public sealed record RegistryEvent(
    string Type, string Repository, string? Digest = null, string? Tag = null, string? MediaType = null, long? Size = null,
    string? Subject = null, string? ArtifactType = null);

/// <summary>
/// Who causes the changes of this scope (a request, a garbage collection), recorded in every event it writes.
/// Scoped: the HTTP layer fills it in once the caller is known; background work names itself.
/// </summary>
public sealed class EventOrigin
{
    /// <summary>The user or robot name; <c>anonymous</c> without credentials; <c>system</c> for background work.</summary>
    public string Actor { get; set; } = "anonymous";
    /// <summary><c>user</c>, <c>robot</c>, <c>anonymous</c> or <c>system</c>.</summary>
    public string ActorKind { get; set; } = "anonymous";
    /// <summary>The client's IP address, when the change came over the network.</summary>
    public string? ClientAddress { get; set; }

    /// <summary>Marks the scope as the registry's own background work (garbage collection, retention).</summary>
    public EventOrigin AsSystem(string name = "system")
    {
        Actor = name;
        ActorKind = "system";
        ClientAddress = null;
        return this;
    }
}
