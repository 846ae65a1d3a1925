using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace RuntimeAgent.Registry;

/// <summary>
/// $root/auth.json in the Docker config shape: <c>{"auths":{"host":{"auth":"base64(user:pass)"}}}</c>; also the shape of
/// ~/.docker/config.json and containers-auth.json, read as fallbacks, where <c>credsStore</c> and <c>credHelpers</c>
/// name credential helpers (the agent's own file never does).
/// </summary>
public sealed record CredentialFile(
    [property: JsonPropertyName("auths")] Dictionary<string, CredentialEntry>? Auths)
{
    [JsonPropertyName("credsStore"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? CredsStore { get; init; }

    [JsonPropertyName("credHelpers"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Dictionary<string, string>? CredHelpers { get; init; }
}

/// <summary>One registry's entry: <c>auth</c> (base64 of user:password), or, as some tools write it, the two apart.</summary>
public sealed record CredentialEntry([property: JsonPropertyName("auth")] string? Auth)
{
    [JsonPropertyName("username")] public string? Username { get; init; }
    [JsonPropertyName("password")] public string? Password { get; init; }
    /// <summary>Docker's OAuth2 refresh token for registries that gave one (written instead of a password).</summary>
    [JsonPropertyName("identitytoken")] public string? IdentityToken { get; init; }
}

/// <summary>A user and password, or (user <c>&lt;token&gt;</c>, as credential helpers say it) an identity token.</summary>
public sealed record Credentials(string Username, string Password)
{
    public const string IdentityTokenUser = "<token>";

    public string BasicValue => Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Username}:{Password}"));

    /// <summary>The secret is an OAuth2 refresh token, traded at the token endpoint, never sent as a password.</summary>
    public bool IsIdentityToken => Username == IdentityTokenUser;

    /// <summary>Who, for messages (never the secret).</summary>
    public string Who => IsIdentityToken ? "an identity token" : $"user {Username}";
}

/// <summary>
/// Saved registry credentials, readable by root only (the file is written with mode 0600). Lookups fall back to the
/// files people already have (<see cref="SharedCredentialFiles"/>), after the agent's own.
/// </summary>
public sealed class CredentialStore(string path, IReadOnlyList<string>? fallbacks = null)
{
    /// <summary>The credentials for <paramref name="registry"/> (host[:port]): the agent's own, else the first fallback file's.</summary>
    public Credentials? Find(string registry)
    {
        if (Decode(Load().Auths?.GetValueOrDefault(registry), path) is { } own) return own;
        foreach (var file in fallbacks ?? SharedCredentialFiles.Paths())
            if (SharedCredentialFiles.Find(file, registry) is { } found) return found;
        return null;
    }

    internal static Credentials? Decode(CredentialEntry? entry, string file)
    {
        if (entry is null) return null;
        if (entry.IdentityToken is { Length: > 0 } token) return new Credentials(Credentials.IdentityTokenUser, token);
        if (entry.Auth is not { Length: > 0 } auth)
            return entry is { Username.Length: > 0, Password: not null } ? new Credentials(entry.Username, entry.Password) : null;
        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(auth));
        }
        catch (FormatException)
        {
            throw new FormatException($"{file}: an \"auth\" value is not base64");
        }
        var colon = decoded.IndexOf(':');
        return colon < 0 ? null : new Credentials(decoded[..colon], decoded[(colon + 1)..]);
    }

    public void Save(string registry, Credentials credentials)
    {
        var file = Load();
        file.Auths![registry] = new CredentialEntry(credentials.BasicValue);
        Write(file);
    }

    /// <summary>Forgets a registry's credentials; false when none were saved.</summary>
    public bool Remove(string registry)
    {
        var file = Load();
        if (!file.Auths!.Remove(registry)) return false;
        Write(file);
        return true;
    }

    private CredentialFile Load()
    {
        if (!File.Exists(path)) return new CredentialFile([]);
        var json = File.ReadAllText(path);
        return JsonSerializer.Deserialize(json, AgentJsonContext.Default.CredentialFile) is { Auths: not null } file
            ? file
            : new CredentialFile([]);
    }

    private void Write(CredentialFile file)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        // Written to a private temp file and renamed, so the secret is never world-readable, not even briefly.
        var temp = $"{path}.{Environment.ProcessId}.tmp";
        var options = new FileStreamOptions
        {
            Mode = FileMode.Create, Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        };
        using (var stream = new FileStream(temp, options))
            JsonSerializer.Serialize(stream, file, AgentJsonContext.Default.CredentialFile);
        File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(temp, path, overwrite: true);
    }
}
