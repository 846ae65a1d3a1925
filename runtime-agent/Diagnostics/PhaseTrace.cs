using System.Text;
using static RuntimeAgent.Native.Libc;

namespace RuntimeAgent.Diagnostics;

/// <summary>
/// Start-up phase timings for performance work (docs/PERFORMANCE.md): with <c>RUNTIME_AGENT_TRACE=FILE</c>, every
/// <see cref="Mark"/> appends "PID THREAD µs-since-epoch PHASE BYTES" to FILE (BYTES: what the process has allocated on the GC
/// heap so far, whose fresh pages each cost a page fault), in wall-clock time so that a script can
/// subtract the instant it started the agent (bash's <c>$EPOCHREALTIME</c>). Without the variable a mark is one
/// branch on a field read once. The monitor is given the variable too (<see cref="EnvironmentEntry"/>).
/// </summary>
internal static unsafe class PhaseTrace
{
    public const string Variable = "RUNTIME_AGENT_TRACE";

    private static readonly string? File = Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } path ? path : null;

    private static int _fd = -1;

    public static bool Enabled => File is not null;

    /// <summary>"RUNTIME_AGENT_TRACE=FILE" for a child's environment, or null when tracing is off.</summary>
    public static string? EnvironmentEntry => File is null ? null : $"{Variable}={File}";

    public static void Mark(string phase)
    {
        if (File is null) return;
        var micros = (DateTime.UtcNow - DateTime.UnixEpoch).Ticks / 10;
        var line = Encoding.UTF8.GetBytes($"{Environment.ProcessId} {Gettid()} {micros} {phase} {GC.GetTotalAllocatedBytes()}\n");
        // Opened once and kept: the setup thread marks phases after pivot_root too, when FILE's path is gone.
        if (_fd < 0) _fd = OpenAt(AtFdCwd, File, OWrOnly | OCreat | 0x400 /* O_APPEND */ | OCloExec, 0x1a4 /* 0644 */);
        fixed (byte* p = line) Write(_fd, p, (nuint)line.Length);
    }
}
