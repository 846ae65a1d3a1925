namespace RuntimeAgent.Run.Isolation;

/// <summary>
/// What a container may do beyond its namespaces: its capability set (bounding, and permitted/effective when it
/// runs as root), no_new_privs, its seccomp program and whether the sensitive /proc and /sys paths are masked.
/// Resolved on the host (<see cref="SecurityOptions.Resolve"/>), carried in the <see cref="ContainerSpec"/>, and
/// applied by the thread that starts the container's first process (<see cref="ThreadLockdown"/>). README: the
/// table of what each setting allows, against runc's and podman's defaults.
/// </summary>
public sealed record SecurityProfile
{
    /// <summary>The bounding set; also the permitted and effective sets of a root process.</summary>
    public ulong Capabilities { get; init; } = Isolation.Capabilities.Default;

    public bool NoNewPrivileges { get; init; }

    /// <summary>The compiled seccomp program (<see cref="Seccomp.SeccompProgramCache"/>); null runs unconfined.</summary>
    public string? SeccompProgramPath { get; init; }

    /// <summary>Masked and read-only /proc and /sys paths (off only for --privileged).</summary>
    public bool MaskKernelPaths { get; init; } = true;

    /// <summary>Reads what the lockdown needs from the host's filesystem; call before pivot_root.</summary>
    internal ThreadLockdown Prepare() => new(this, SeccompProgramPath is null ? null : ReadProgram(SeccompProgramPath));

    private static byte[] ReadProgram(string path)
    {
        var program = File.ReadAllBytes(path);
        return program.Length > 0 && program.Length % 8 == 0 ? program
            : throw new ContainerSetupException($"seccomp: {path} is not a compiled BPF program");
    }
}
