using Registry.Oci;
using RuntimeAgent.Store;

namespace RuntimeAgent.Run;

/// <summary>What the user asked for on the command line, each overriding the image's config when given.</summary>
public sealed record RunOverrides(
    IReadOnlyList<string> Command, string? Entrypoint, IReadOnlyList<string> Env, string? WorkingDir, string? User);

/// <summary>The container's process after merging image config and overrides, the way Docker merges them.</summary>
public sealed record ContainerProcess(IReadOnlyList<string> Args, IReadOnlyList<string> Env, string WorkingDir, string User)
{
    public static ContainerProcess Build(RuntimeConfig image, RunOverrides overrides, string hostname, Func<string, string?> hostEnv)
    {
        // --entrypoint replaces the image's Entrypoint and drops its Cmd; "" clears the entrypoint.
        IReadOnlyList<string> entrypoint = overrides.Entrypoint is { } e ? (e.Length == 0 ? [] : [e]) : image.Entrypoint ?? [];
        IReadOnlyList<string> cmd = overrides.Command.Count > 0 ? overrides.Command
            : overrides.Entrypoint is null ? image.Cmd ?? [] : [];
        var args = entrypoint.Concat(cmd).ToList();
        if (args.Count == 0) throw new ContainerSetupException("no command specified: the image has no Entrypoint or Cmd and none was given");

        var env = new List<string>();
        Set(env, $"PATH={ProcessStart.DefaultPath}");
        Set(env, $"HOSTNAME={hostname}");
        foreach (var entry in image.Env ?? []) Set(env, entry);
        foreach (var entry in overrides.Env)
        {
            // -e NAME (no '=') passes the agent's own value through, or nothing when it has none.
            if (entry.Contains('=')) Set(env, entry);
            else if (hostEnv(entry) is { } value) Set(env, $"{entry}={value}");
        }

        var workingDir = overrides.WorkingDir ?? (string.IsNullOrEmpty(image.WorkingDir) ? "/" : image.WorkingDir);
        if (!workingDir.StartsWith('/'))
            throw new ContainerSetupException($"the working directory '{workingDir}' is invalid: it needs to be an absolute path");
        return new ContainerProcess(args, env, workingDir, overrides.User ?? image.User ?? "");
    }

    private static void Set(List<string> env, string entry)
    {
        var key = entry.Split('=', 2)[0];
        if (key.Length == 0) throw new ContainerSetupException($"invalid environment variable '{entry}'");
        var index = env.FindIndex(e => e.StartsWith(key + "=", StringComparison.Ordinal));
        if (index >= 0) env[index] = entry;
        else env.Add(entry);
    }
}
