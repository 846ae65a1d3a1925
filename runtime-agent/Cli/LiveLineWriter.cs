using System.Text;

namespace RuntimeAgent.Cli;

/// <summary>
/// A line-oriented writer for output that runs alongside progress bars (a build's step lines while one stage pulls
/// its FROM image): each complete line goes through <see cref="ProgressDisplay.WriteLine"/>, above the bars when
/// they are live on <see cref="Target"/>, straight to it otherwise. Partial lines wait for their end.
/// </summary>
public sealed class LiveLineWriter(TextWriter target) : TextWriter
{
    private readonly StringBuilder pending = new();

    public TextWriter Target { get; } = target;

    public override Encoding Encoding => Target.Encoding;

    public override void Write(char value)
    {
        lock (pending)
        {
            if (value == '\n') Emit();
            else if (value != '\r') pending.Append(value);
        }
    }

    public override void Write(string? value)
    {
        if (value is null) return;
        lock (pending)
            foreach (var c in value)
                if (c == '\n') Emit();
                else if (c != '\r') pending.Append(c);
    }

    public override void WriteLine(string? value)
    {
        lock (pending)
        {
            pending.Append(value);
            Emit();
        }
    }

    public override void Flush() => Target.Flush(); // a partial line stays pending: emitting it would end it early

    private void Emit()
    {
        var line = pending.ToString();
        pending.Clear();
        ProgressDisplay.WriteLine(Target, line);
    }
}
