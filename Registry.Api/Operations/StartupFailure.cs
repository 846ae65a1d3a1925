using System.Data.Common;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Registry.Api.Operations;

/// <summary>
/// Turns what stops the registry at start because of its settings into one line naming the environment variable
/// to fix (<c>Registry__Gc__Interval</c>, not <c>Registry:Gc:Interval</c>), so an operator sees the cause instead of
/// a stack trace. Anything else (a bug) is left to the runtime, stack trace included.
/// </summary>
public static partial class StartupFailure
{
    /// <summary>The line to print for <paramref name="error"/>, or null when it is not a settings problem.</summary>
    public static string? Describe(Exception error)
    {
        var message = error switch
        {
            AggregateException aggregate when aggregate.InnerExceptions.All(e => Describe(e) is not null) =>
                string.Join("; ", aggregate.InnerExceptions.Select(e => Describe(e)![CannotStart.Length..])),
            OptionsValidationException options => string.Join("; ", options.Failures),
            InvalidOperationException when ConversionFailure().Match(error.Message) is { Success: true } m =>
                $"{m.Groups["path"].Value} is '{m.Groups["value"].Value}', which is not a valid {FriendlyType(m.Groups["type"].Value)}",
            InvalidOperationException when error.Message.Contains("Registry", StringComparison.Ordinal) => error.Message,
            DbException => $"the metadata database did not answer ({error.Message.TrimEnd('.')}); check Registry__Database__ConnectionString",
            IOException when error.Message.Contains("bind", StringComparison.OrdinalIgnoreCase) =>
                $"{error.Message.TrimEnd('.')}; check ASPNETCORE_URLS",
            _ => null,
        };
        return message is null ? null : CannotStart + ToVariableNames(message.ReplaceLineEndings(" "));
    }

    private const string CannotStart = "registry: cannot start: ";

    private static string ToVariableNames(string message) => SettingPath().Replace(message, m => m.Value.Replace(":", "__"));

    private static string FriendlyType(string type) => type.Split('.')[^1] switch
    {
        "TimeSpan" => "duration (hh:mm:ss or d.hh:mm:ss)",
        "Boolean" => "boolean (true or false)",
        "Int32" or "Int64" => "whole number",
        "Double" => "number",
        var other => other,
    };

    [GeneratedRegex(@"Failed to convert configuration value '(?<value>[^']*)' at '(?<path>[^']*)' to type '(?<type>[^']*)'")]
    private static partial Regex ConversionFailure();

    [GeneratedRegex(@"\b(Registry|Logging|ConnectionStrings)(:[A-Za-z0-9_.]+)+")]
    private static partial Regex SettingPath();
}
