using System.Text.Json;

namespace RuntimeAgent.Store;

/// <summary>
/// The few steps the store's hand-written readers (<see cref="ImageRecord.FromUtf8"/>, <see cref="RuntimeConfigReader"/>)
/// take with a <see cref="Utf8JsonReader"/>, which, unlike JsonDocument, rents nothing from ArrayPool.
/// </summary>
internal static class JsonFields
{
    public static void StartObject(ref Utf8JsonReader reader)
    {
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) throw new InvalidOperationException("not a JSON object");
    }

    /// <summary>Moves to the next property name of the current object; false at its end.</summary>
    public static bool NextProperty(ref Utf8JsonReader reader)
    {
        reader.Read();
        return reader.TokenType == JsonTokenType.PropertyName;
    }

    /// <summary>Moves to the current property's value.</summary>
    public static ref Utf8JsonReader Value(ref Utf8JsonReader reader)
    {
        reader.Read();
        return ref reader;
    }

    /// <summary>The current property's value as a string (null for JSON null; InvalidOperationException for others).</summary>
    public static string? String(ref Utf8JsonReader reader) => Value(ref reader).GetString();

    public static void SkipValue(ref Utf8JsonReader reader)
    {
        reader.Read();
        reader.Skip();
    }

    public static T Required<T>(T? value, string name) where T : class => value ?? throw new KeyNotFoundException(name);
}
