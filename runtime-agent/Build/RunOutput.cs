using System.Text;
using static RuntimeAgent.Native.Libc;

namespace RuntimeAgent.Build;

/// <summary>
/// A RUN command's stdout and stderr: one pipe that the agent reads on a thread of its own, writing each line whole
/// to the build's output (<see cref="Cli.LiveLineWriter"/>), so it lands above another stage's live FROM bars and never
/// inside a plain progress line (a command writing to the terminal itself would tear both). Merged into one stream, as
/// Docker's builder shows them; a line longer than <see cref="MaxLine"/> is written in pieces, each ending on a UTF-8
/// character boundary; '\r' is dropped, as the writer drops it.
/// </summary>
internal sealed unsafe class RunOutput : IDisposable
{
    private const int MaxLine = 16 * 1024;
    private readonly int _readFd;
    private readonly Thread _pump;
    private int _writeFd;

    private RunOutput(int readFd, int writeFd, TextWriter output)
    {
        (_readFd, _writeFd) = (readFd, writeFd);
        _pump = new Thread(() => Pump(output)) { IsBackground = true, Name = "run-output" };
        _pump.Start();
    }

    /// <summary>The write end, for the command's stdout and stderr (close-on-exec: no other spawn inherits it).</summary>
    public int WriteFd => _writeFd;

    public static RunOutput Open(TextWriter output)
    {
        var fds = stackalloc int[2];
        if (Pipe2(fds, OCloExec) != 0) throw new IOException($"pipe: {ErrorText(LastError)}");
        return new RunOutput(fds[0], fds[1], output);
    }

    /// <summary>Once the command runs it holds the write end: ours goes, so the pipe ends with the command's last process.</summary>
    public void CommandStarted()
    {
        var fd = Interlocked.Exchange(ref _writeFd, -1);
        if (fd >= 0) Close(fd);
    }

    private void Pump(TextWriter output)
    {
        var buffer = new byte[64 * 1024];
        var pending = 0;
        while (true)
        {
            nint read;
            fixed (byte* p = &buffer[pending]) read = Read(_readFd, p, (nuint)(buffer.Length - pending));
            if (read < 0 && LastError == EIntr) continue;
            if (read <= 0) break;
            pending += (int)read;
            var start = 0;
            for (int newline; (newline = Array.IndexOf(buffer, (byte)'\n', start, pending - start)) >= 0; start = newline + 1)
                Emit(output, buffer.AsSpan(start, newline - start));
            if (pending - start >= MaxLine)
            {
                // A character cut in two by the read would decode as two U+FFFD: its first bytes wait for the rest.
                var piece = WholeCharacters(buffer.AsSpan(start, pending - start));
                Emit(output, buffer.AsSpan(start, piece));
                start += piece;
            }
            Buffer.BlockCopy(buffer, start, buffer, 0, pending - start);
            pending -= start;
        }
        if (pending > 0) Emit(output, buffer.AsSpan(0, pending));
    }

    /// <summary>How many of <paramref name="bytes"/> end on a UTF-8 character boundary: all but the first bytes of a
    /// multi-byte character the span ends inside of (bytes that are not UTF-8 at all are cut anywhere).</summary>
    internal static int WholeCharacters(ReadOnlySpan<byte> bytes)
    {
        for (var back = 1; back <= Math.Min(3, bytes.Length); back++)
        {
            var b = bytes[^back];
            if ((b & 0xC0) == 0x80) continue; // a continuation byte: the character started further back
            var length = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
            return length > back ? bytes.Length - back : bytes.Length;
        }
        return bytes.Length;
    }

    private static void Emit(TextWriter output, ReadOnlySpan<byte> line) => output.WriteLine(Encoding.UTF8.GetString(line).Replace("\r", ""));

    /// <summary>Waits (bounded) for the last lines: every process of the step died with its PID 1, so the pipe has ended.</summary>
    public void Dispose()
    {
        CommandStarted(); // a launch that failed before the command ran
        if (_pump.Join(TimeSpan.FromSeconds(5))) Close(_readFd); // else a stuck read keeps it: never close under a reader
    }
}
