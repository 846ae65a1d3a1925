namespace Registry.Storage.Uploads;

/// <summary>Upload session ids: 32 lower-case hex characters, safe to use as a path segment.</summary>
public static class UploadIds
{
    /// <summary>A new random session id.</summary>
    public static string New() => Guid.NewGuid().ToString("N");

    /// <summary>True when <paramref name="id"/> has the shape of a session id.</summary>
    public static bool IsValid(string? id) =>
        id is { Length: 32 } && id.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f');
}
