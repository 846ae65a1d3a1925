using System.Text.Json;
using Registry.Oci;

namespace RuntimeAgent.Store;

/// <summary>
/// The runtime part of a stored image config (Env, Entrypoint, Cmd, WorkingDir, User, StopSignal, Healthcheck; the
/// rest is skipped), read by hand: every `run` reads one, the typed serializer's first use of a type costs more than
/// the whole read, and JsonDocument's pooled buffers cost the pool's initialisation (<see cref="JsonFields"/>).
/// Throws JsonException or InvalidOperationException on a config that is not what a pull validated.
/// </summary>
internal static class RuntimeConfigReader
{
    public static RuntimeConfig Read(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8);
        var config = new RuntimeConfig();
        JsonFields.StartObject(ref reader);
        while (JsonFields.NextProperty(ref reader))
        {
            if (!reader.ValueTextEquals("config"u8)) JsonFields.SkipValue(ref reader);
            else if (JsonFields.Value(ref reader).TokenType == JsonTokenType.StartObject) config = ReadConfig(ref reader);
            else reader.Skip(); // null or another kind: as absent
        }
        config.WorkingDir = string.IsNullOrEmpty(config.WorkingDir) ? "/" : config.WorkingDir;
        config.User ??= "";
        return config;
    }

    // The reader is on the config object's start.
    private static RuntimeConfig ReadConfig(ref Utf8JsonReader reader)
    {
        var config = new RuntimeConfig();
        while (JsonFields.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("Env"u8)) config.Env = Strings(ref reader);
            else if (reader.ValueTextEquals("Entrypoint"u8)) config.Entrypoint = Strings(ref reader);
            else if (reader.ValueTextEquals("Cmd"u8)) config.Cmd = Strings(ref reader);
            else if (reader.ValueTextEquals("WorkingDir"u8)) config.WorkingDir = Text(ref reader);
            else if (reader.ValueTextEquals("User"u8)) config.User = Text(ref reader);
            else if (reader.ValueTextEquals("StopSignal"u8)) config.StopSignal = Text(ref reader);
            else if (reader.ValueTextEquals("Healthcheck"u8)) config.Healthcheck = Healthcheck(ref reader);
            else JsonFields.SkipValue(ref reader);
        }
        return config;
    }

    /// <summary>Docker's Healthcheck (durations in nanoseconds), which the monitor of a detached container runs.</summary>
    private static HealthConfig? Healthcheck(ref Utf8JsonReader reader)
    {
        if (JsonFields.Value(ref reader).TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return null;
        }
        var health = new HealthConfig();
        while (JsonFields.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("Test"u8)) health.Test = Strings(ref reader) ?? [];
            else if (reader.ValueTextEquals("Interval"u8)) health.Interval = Number(ref reader);
            else if (reader.ValueTextEquals("Timeout"u8)) health.Timeout = Number(ref reader);
            else if (reader.ValueTextEquals("StartPeriod"u8)) health.StartPeriod = Number(ref reader);
            else if (reader.ValueTextEquals("StartInterval"u8)) health.StartInterval = Number(ref reader);
            else if (reader.ValueTextEquals("Retries"u8)) health.Retries = (int?)Number(ref reader);
            else JsonFields.SkipValue(ref reader);
        }
        return health;
    }

    // An array of strings (a null element reads as ""); anything else reads as absent.
    private static List<string>? Strings(ref Utf8JsonReader reader)
    {
        if (JsonFields.Value(ref reader).TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return null;
        }
        var strings = new List<string>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray) strings.Add(reader.GetString() ?? "");
        return strings;
    }

    private static string? Text(ref Utf8JsonReader reader)
    {
        if (JsonFields.Value(ref reader).TokenType == JsonTokenType.String) return reader.GetString();
        reader.Skip();
        return null;
    }

    private static long? Number(ref Utf8JsonReader reader) =>
        JsonFields.Value(ref reader).TokenType == JsonTokenType.Number && reader.TryGetInt64(out var value) ? value : null;
}
