using static RuntimeAgent.Native.Libc;

namespace RuntimeAgent.Run.Terminal;

/// <summary>
/// The agent's own terminal (stdin) in raw mode while a container's terminal is relayed, so ^C, ^Z, ^D and the
/// detach keys arrive as bytes instead of acting on the agent; restored on dispose. A no-op off a terminal.
/// </summary>
internal sealed unsafe class RawTerminal : IDisposable
{
    private readonly byte[]? _savedModes;

    private RawTerminal(byte[]? savedModes) => _savedModes = savedModes;

    public static RawTerminal Enter()
    {
        if (Isatty(0) != 1) return new RawTerminal(null);
        var modes = new byte[TermiosBytes];
        fixed (byte* p = modes)
        {
            if (Tcgetattr(0, p) != 0) return new RawTerminal(null);
            var saved = (byte[])modes.Clone();
            Cfmakeraw(p);
            Tcsetattr(0, TcsaNow, p);
            return new RawTerminal(saved);
        }
    }

    public void Dispose()
    {
        if (_savedModes is not null)
            fixed (byte* p = _savedModes) Tcsetattr(0, TcsaNow, p);
    }
}
