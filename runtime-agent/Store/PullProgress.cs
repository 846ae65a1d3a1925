namespace RuntimeAgent.Store;

/// <summary>What a pull (or a push) reports while it works: one transfer per blob, plus status lines.</summary>
public interface IPullProgress
{
    ITransferProgress Begin(string label, long size);

    void Message(string text);
}

public interface ITransferProgress
{
    /// <summary>Bytes already present (a resumed download or a cache hit) or just received.</summary>
    void Advance(long bytes);

    /// <summary>The transfer is finished: "downloaded", "cached", "unpacked"…</summary>
    void Complete(string status);
}

/// <summary>Reports nothing: for callers (like `run`) that pull quietly.</summary>
public sealed class SilentProgress : IPullProgress, ITransferProgress
{
    public static readonly SilentProgress Instance = new();

    public ITransferProgress Begin(string label, long size) => this;
    public void Message(string text) { }
    public void Advance(long bytes) { }
    public void Complete(string status) { }
}
