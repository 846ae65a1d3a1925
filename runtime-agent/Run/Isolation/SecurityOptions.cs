using RuntimeAgent.Run.Isolation.Seccomp;

namespace RuntimeAgent.Run.Isolation;

/// <summary>
/// The security flags of `run` (and the defaults of a build's RUN steps): <c>--privileged</c>, <c>--cap-add</c>,
/// <c>--cap-drop</c> and <c>--security-opt</c> (<c>no-new-privileges</c>, <c>seccomp=unconfined</c>,
/// <c>seccomp=PROFILE.json</c>), as Docker and podman spell them.
/// </summary>
public sealed record SecurityOptions(
    bool Privileged = false, IReadOnlyList<string>? CapAdd = null, IReadOnlyList<string>? CapDrop = null,
    IReadOnlyList<string>? SecurityOpt = null)
{
    /// <summary>The default profile.</summary>
    public static readonly SecurityOptions Default = new();

    /// <summary>Resolves the flags to a profile, compiling (or finding in the cache) its seccomp program.</summary>
    public SecurityProfile Resolve(string seccompCacheDirectory)
    {
        var capabilities = Capabilities.Resolve(Privileged, CapAdd ?? [], CapDrop ?? []);
        var noNewPrivileges = false;
        string? seccomp = null;
        foreach (var option in SecurityOpt ?? [])
        {
            var (key, value) = option.Split(['=', ':'], 2) switch { [var k, var v] => (k, v), [var k] => (k, ""), _ => ("", "") };
            switch (key)
            {
                case "no-new-privileges" when value is "" or "true": noNewPrivileges = true; break;
                case "no-new-privileges" when value is "false": noNewPrivileges = false; break;
                case "seccomp" when value.Length > 0: seccomp = value; break;
                default:
                    throw new ContainerSetupException($"unsupported --security-opt '{option}' (use no-new-privileges, " +
                        "seccomp=unconfined or seccomp=PROFILE.json)");
            }
        }

        var filter = Privileged || seccomp == "unconfined" ? null
            : seccomp is null ? DefaultSeccompProfile.For(capabilities)
            : DockerSeccompProfile.Load(seccomp, capabilities);
        return new SecurityProfile
        {
            Capabilities = capabilities,
            NoNewPrivileges = noNewPrivileges,
            SeccompProgramPath = filter is null ? null : new SeccompProgramCache(seccompCacheDirectory).Program(filter),
            MaskKernelPaths = !Privileged,
        };
    }
}
