using System.Text;
using static RuntimeAgent.Native.Libc;

namespace RuntimeAgent.Containers;

/// <summary>
/// Console.Out and Console.Error of a process forked for <c>run -d</c> (<see cref="ForkedMonitor.UseDescriptorWriters"/>):
/// each write goes to descriptor 1 or 2 as it is at that moment. .NET's own Console streams write to a duplicate of the
/// descriptor made on first use, which would keep the user's stdout or stderr open in the monitor after it has put
/// /dev/null on 0, 1 and 2, and a reader of run -d's output would wait for the container to exit. With these there is
/// no duplicate to find and replace: an error before the report reaches the user's stderr, anything later /dev/null.
/// </summary>
internal sealed unsafe class DescriptorWriter(int fd) : TextWriter
{
    public override Encoding Encoding { get; } = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

    public override void Write(char value) => Write(new ReadOnlySpan<char>(in value));

    public override void Write(char[] buffer, int index, int count) => Write(buffer.AsSpan(index, count));

    public override void Write(string? value) => Write(value.AsSpan());

    public override void Write(ReadOnlySpan<char> chars)
    {
        var bytes = new byte[Encoding.GetByteCount(chars)];
        Encoding.GetBytes(chars, bytes);
        fixed (byte* start = bytes)
        {
            for (var written = 0; written < bytes.Length;)
            {
                var n = Native.Libc.Write(fd, start + written, (nuint)(bytes.Length - written));
                if (n > 0) written += (int)n;
                else if (n < 0 && LastError == EIntr) continue;
                else return; // a closed or broken descriptor: as a console stream, the message is dropped
            }
        }
    }
}
