using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Registry.Api.Operations;

/// <summary>
/// The one options pattern of the registry: each settings class is bound once from its configuration section and
/// checked once at start (<c>ValidateOnStart</c>) by its own <c>Validate()</c>, whose lines name the variable to fix.
/// The bound instance is also registered as itself, so services take <c>AuthOptions</c> rather than
/// <c>IOptions&lt;AuthOptions&gt;</c>. Registration decides nothing from bound values: what must be known before the
/// container exists (is auth on?) is read as a single switch with <c>Configuration.GetValue</c>.
/// </summary>
public static class RegistrySettings
{
    /// <summary>Binds <typeparamref name="T"/> from <paramref name="section"/> and validates it at start with <paramref name="problems"/>.</summary>
    public static OptionsBuilder<T> AddValidatedSettings<T>(this IServiceCollection services, string section, Func<T, IEnumerable<string>> problems)
        where T : class
    {
        services.AddSingleton<IValidateOptions<T>>(new SettingsValidator<T>(problems));
        services.TryAddSingleton(provider => provider.GetRequiredService<IOptions<T>>().Value);
        return services.AddOptions<T>().BindConfiguration(section).ValidateOnStart();
    }

    /// <summary>
    /// Runs every start-up check now (right after <c>Build()</c>), so a bad setting stops the start before the
    /// database is migrated or a key is written. The host would run them again in <c>StartAsync</c>; options are
    /// cached, so that second pass costs nothing.
    /// </summary>
    public static void ValidateSettings(this IServiceProvider services) => services.GetService<IStartupValidator>()?.Validate();

    private sealed class SettingsValidator<T>(Func<T, IEnumerable<string>> problems) : IValidateOptions<T> where T : class
    {
        public ValidateOptionsResult Validate(string? name, T options) =>
            problems(options).ToList() is { Count: > 0 } found ? ValidateOptionsResult.Fail(found) : ValidateOptionsResult.Success;
    }
}
