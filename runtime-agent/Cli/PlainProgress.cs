using RuntimeAgent.Store;

namespace RuntimeAgent.Cli;

/// <summary>Progress as plain lines (one when a blob starts, one when it ends): for logs and pipes.</summary>
public sealed class PlainProgress(TextWriter output) : IPullProgress
{
    private readonly Lock gate = new();

    public ITransferProgress Begin(string label, long size) => new Transfer(this, label, size);

    public void Message(string text) => Write(text);

    private void Write(string line)
    {
        lock (gate) output.WriteLine(line);
    }

    private sealed class Transfer(PlainProgress owner, string label, long size) : ITransferProgress
    {
        private long resumedAt = -1;

        public void Advance(long bytes)
        {
            if (resumedAt >= 0) return;
            resumedAt = bytes;
            if (bytes > 0) owner.Write($"{label}: resuming at {bytes} of {size} bytes");
        }

        public void Complete(string status) => owner.Write($"{label}: {status} ({size} bytes)");
    }
}
