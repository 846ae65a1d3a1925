using System.Globalization;

namespace Registry.Api.Ui.Components.Shared;

/// <summary>How the pages write sizes, digests and times.</summary>
public static class Format
{
    public static string Bytes(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double value = bytes;
        var unit = 0;
        while (value >= 1024 && unit < units.Length - 1) { value /= 1024; unit++; }
        return unit == 0 ? $"{bytes} B" : value.ToString(value < 10 ? "0.0" : "0", CultureInfo.InvariantCulture) + " " + units[unit];
    }

    /// <summary>The algorithm and the first 12 hex digits, as most registries show a digest.</summary>
    public static string ShortDigest(string digest)
    {
        var colon = digest.IndexOf(':');
        return colon > 0 && digest.Length > colon + 13 ? digest[..(colon + 13)] : digest;
    }

    public static string Time(DateTime utc) => utc.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    public static string RepositoryUrl(string repository) => "/repositories/" + repository;

    public static string ManifestUrl(string repository, string reference) =>
        $"/manifest?repository={Uri.EscapeDataString(repository)}&reference={Uri.EscapeDataString(reference)}";
}
