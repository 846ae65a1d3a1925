namespace Registry.Bench;

/// <summary>
/// Follows a server's resident memory while a workload runs: polls VmRSS and, at the end, reads VmHWM
/// after resetting it at the start (writing 5 to /proc/PID/clear_refs), taking the larger of the two.
/// </summary>
public sealed class RssSampler : IAsyncDisposable
{
    readonly int pid;
    readonly CancellationTokenSource stop = new();
    readonly Task sampling;
    long peakKiB;

    public RssSampler(int pid)
    {
        this.pid = pid;
        try { File.WriteAllText($"/proc/{pid}/clear_refs", "5"); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        sampling = Task.Run(Sample);
    }

    public double PeakMiB => Math.Max(peakKiB, Read("VmHWM:")) / 1024.0;

    async Task Sample()
    {
        while (!stop.IsCancellationRequested)
        {
            peakKiB = Math.Max(peakKiB, Read("VmRSS:"));
            try { await Task.Delay(20, stop.Token); } catch (OperationCanceledException) { }
        }
    }

    long Read(string field)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
                if (line.StartsWith(field, StringComparison.Ordinal))
                    return long.Parse(line[field.Length..].Trim().Split(' ')[0]);
        }
        catch (IOException) { }
        return 0;
    }

    public async ValueTask DisposeAsync()
    {
        peakKiB = Math.Max(peakKiB, Read("VmRSS:"));
        await stop.CancelAsync();
        await sampling;
        stop.Dispose();
    }
}
