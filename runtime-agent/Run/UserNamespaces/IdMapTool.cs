using System.Globalization;
using static RuntimeAgent.Native.Libc;

namespace RuntimeAgent.Run.UserNamespaces;

/// <summary>
/// Debian's setuid <c>newuidmap</c>/<c>newgidmap</c> writing a rootless agent's namespace maps:
/// <c>TOOL PID 0 OWN 1 1 START COUNT</c> (the user is root inside, its subordinate ids are 1…). Spawned directly
/// (posix_spawn, its output on a pipe) rather than through System.Diagnostics.Process, whose first use costs several
/// milliseconds on the start-up path of every rootless command.
/// </summary>
internal sealed unsafe class IdMapTool : IDisposable
{
    private readonly string _tool;
    private readonly int _pid;
    private int _output;

    private IdMapTool(string tool, int pid, int output) => (_tool, _pid, _output) = (tool, pid, output);

    public static IdMapTool Start(string tool, int pid, uint own, (uint Start, uint Count) range, IReadOnlyList<string> env)
    {
        string path;
        try
        {
            path = ProcessStart.FindExecutable(tool, env);
        }
        catch (ContainerSetupException)
        {
            throw new ContainerSetupException($"rootless: cannot find {tool}; install Debian's uidmap package", 125);
        }
        var args = new long[] { pid, 0, own, 1, 1, range.Start, range.Count }.Select(n => n.ToString(CultureInfo.InvariantCulture)).Prepend(tool).ToList();
        var pipe = stackalloc int[2];
        ContainerSetupException.Check(Pipe2(pipe, OCloExec), "pipe");
        try
        {
            return new IdMapTool(tool, ProcessStart.Spawn(path, args, env, nullStdin: true, outputFd: pipe[1]), pipe[0]);
        }
        catch
        {
            Close(pipe[0]);
            throw;
        }
        finally
        {
            Close(pipe[1]);
        }
    }

    /// <summary>Waits for the tool; throws its own message in one line when it failed.</summary>
    public void Finish()
    {
        var exitCode = ProcessStart.Wait(_pid);
        if (exitCode == 0) return;
        var buffer = stackalloc byte[1024];
        var length = (int)Read(_output, buffer, 1024);
        var message = length > 0 ? System.Text.Encoding.UTF8.GetString(buffer, length).Trim().ReplaceLineEndings(" ") : $"exit code {exitCode}";
        throw new ContainerSetupException($"rootless: {_tool} failed: {message}", 125);
    }

    public void Dispose()
    {
        if (_output >= 0) Close(_output);
        _output = -1;
    }
}
