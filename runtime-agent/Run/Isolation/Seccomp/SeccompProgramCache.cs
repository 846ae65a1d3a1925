namespace RuntimeAgent.Run.Isolation.Seccomp;

/// <summary>
/// Compiled filters, one file per filter under the agent's root (<c>seccomp/KEY.bpf</c>, KEY = <see
/// cref="SeccompFilter.Key"/>). A cached `run` reads a few hundred bytes instead of loading libseccomp and
/// compiling: the program depends only on the filter, and the key on every rule, action and architecture in it.
/// </summary>
public sealed class SeccompProgramCache(string directory)
{
    /// <summary>The path of <paramref name="filter"/>'s compiled program, compiled and stored now if it is not cached.</summary>
    public string Program(SeccompFilter filter)
    {
        var path = Path.Join(directory, filter.Key() + ".bpf");
        if (File.Exists(path)) return path;

        Directory.CreateDirectory(directory);
        var temp = Path.Join(directory, $".tmp-{Environment.ProcessId}-{Environment.CurrentManagedThreadId}.bpf");
        try
        {
            using (var file = new FileStream(temp, FileMode.Create, FileAccess.ReadWrite))
                SeccompCompiler.Compile(filter, (int)file.SafeFileHandle.DangerousGetHandle());
            File.Move(temp, path, overwrite: true); // whole or not at all, for concurrent runs
        }
        finally
        {
            File.Delete(temp);
        }
        return path;
    }
}
