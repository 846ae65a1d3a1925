namespace RuntimeAgent.Snapshots;

/// <summary>
/// ROOT/snapshotter-probe: one <c>key=value</c> line per field (boot, chosen, reason, overlay, fuse-overlayfs), written
/// to a temporary file and renamed so concurrent agents read a whole file or none. Removing it makes the next run probe again.
/// </summary>
internal static class SnapshotterProbeFile
{
    public static SnapshotterProbeResult? Read(string file)
    {
        if (!File.Exists(file)) return null;
        var fields = File.ReadLines(file).Select(l => l.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
        if (!fields.TryGetValue("boot", out var boot) || !fields.TryGetValue("chosen", out var chosen)) return null;
        Snapshotter? snapshotter = chosen switch { "none" => null, _ when SnapshotterNames.All.Contains(chosen) => SnapshotterNames.Parse(chosen), _ => null };
        if (snapshotter is null && chosen != "none") return null;
        return new(snapshotter, fields.GetValueOrDefault("reason", ""), Empty(fields.GetValueOrDefault("overlay")),
                   Empty(fields.GetValueOrDefault("fuse-overlayfs")), boot);
    }

    public static void Write(string file, SnapshotterProbeResult result)
    {
        var temporary = $"{file}.{Environment.ProcessId}";
        File.WriteAllLines(temporary,
        [
            $"boot={result.BootId}", $"chosen={(result.Chosen is { } s ? SnapshotterNames.Name(s) : "none")}", $"reason={OneLine(result.Reason)}",
            $"overlay={OneLine(result.OverlayError)}", $"fuse-overlayfs={OneLine(result.FuseOverlayfsError)}",
        ]);
        File.Move(temporary, file, overwrite: true);
    }

    private static string OneLine(string? text) => (text ?? "").ReplaceLineEndings(" ");

    private static string? Empty(string? text) => string.IsNullOrEmpty(text) ? null : text;
}
