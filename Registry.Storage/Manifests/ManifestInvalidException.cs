namespace Registry.Storage.Manifests;

/// <summary>A manifest that is not well-formed or breaks the image spec; the API answers MANIFEST_INVALID.</summary>
public sealed class ManifestInvalidException(string message) : Exception(message);
