using System.Text.Json;
using RuntimeAgent.Snapshots;

namespace RuntimeAgent.Info;

/// <summary>Prints <see cref="HostFacts"/> as aligned lines for people, or as one JSON object (<c>--format json</c>).</summary>
internal static class HostFactsWriter
{
    public static void WriteText(HostFacts f, TextWriter output)
    {
        void Line(string key, string value) => output.WriteLine($"{key + ":",-20}{value}");
        Line("mode", $"{f.Mode} (user {f.UserName}, uid {f.Uid})");
        Line("state directory", f.StateDirectory);
        Line("kernel", f.Kernel);
        Line("user namespaces", YesNo(f.UserNamespaces));
        Line("subordinate uids", Ranges(f.SubordinateUids));
        Line("subordinate gids", Ranges(f.SubordinateGids));
        if (f.MissingRanges is { } missing) Line("  limits", missing);
        if (f.Mode == "rootless")
        {
            Line("uid map", string.Join("; ", f.UidMap));
            Line("gid map", string.Join("; ", f.GidMap));
            Line("newuidmap", f.NewUidMap ?? "missing (install Debian's uidmap package)");
        }
        Line("idmapped mounts", YesNo(f.IdmappedMounts));
        Line("snapshotter", $"{(f.DefaultSnapshotter is { } s ? SnapshotterNames.Name(s) : "none")} — {f.OverlayMode}");
        Line("  why", f.Mode == "rootless" ? f.Snapshots.Reason : "root agent: overlay unless --snapshotter says otherwise");
        Line("  overlay probe", f.Snapshots.OverlayError ?? "mounted and written");
        Line("  fuse-overlayfs", f.Snapshots.FuseOverlayfsError ?? (f.Snapshots.OverlayError is null ? "not needed" : "mounted and written"));
        Line("  probed", f.Snapshots.Cached ? $"earlier this boot (remove {Path.Join(f.StateDirectory, SnapshotterProbe.FileName)} to probe again)" : "now");
        Line("cgroups", f.Cgroups.Version switch
        {
            "hybrid" => "hybrid (v1 controllers, an empty v2 tree at /sys/fs/cgroup/unified)",
            "v2" => "v2 (unified)",
            var other => other,
        });
        Line("cgroup limits", $"{(f.Cgroups.LimitsAvailable ? "yes" : "no")}: {f.Cgroups.Detail}");
        Line("seccomp", YesNo(f.Seccomp));
    }

    public static void WriteJson(HostFacts f, Stream output)
    {
        using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        json.WriteStartObject();
        json.WriteString("mode", f.Mode);
        json.WriteStartObject("user");
        json.WriteString("name", f.UserName);
        json.WriteNumber("uid", f.Uid);
        json.WriteEndObject();
        json.WriteString("stateDirectory", f.StateDirectory);
        json.WriteString("kernel", f.Kernel);
        json.WriteStartObject("userNamespaces");
        Capability(json, f.UserNamespaces);
        RangeArray(json, "subordinateUids", f.SubordinateUids);
        RangeArray(json, "subordinateGids", f.SubordinateGids);
        json.WriteString("missingRanges", f.MissingRanges);
        StringArray(json, "uidMap", f.UidMap);
        StringArray(json, "gidMap", f.GidMap);
        json.WriteString("newuidmap", f.NewUidMap);
        json.WriteEndObject();
        json.WriteStartObject("idmappedMounts");
        Capability(json, f.IdmappedMounts);
        json.WriteEndObject();
        json.WriteStartObject("snapshotter");
        json.WriteString("default", f.DefaultSnapshotter is { } s ? SnapshotterNames.Name(s) : null);
        json.WriteString("overlayMode", f.OverlayMode);
        json.WriteString("reason", f.Snapshots.Reason);
        json.WriteString("overlayError", f.Snapshots.OverlayError);
        json.WriteString("fuseOverlayfsError", f.Snapshots.FuseOverlayfsError);
        json.WriteBoolean("probedEarlierThisBoot", f.Snapshots.Cached);
        json.WriteEndObject();
        json.WriteStartObject("cgroups");
        json.WriteString("version", f.Cgroups.Version);
        json.WriteBoolean("limits", f.Cgroups.LimitsAvailable);
        json.WriteString("delegatedSubtree", f.Cgroups.Subtree);
        json.WriteString("detail", f.Cgroups.Detail);
        json.WriteEndObject();
        json.WriteStartObject("seccomp");
        Capability(json, f.Seccomp);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static string YesNo(Capability c) => $"{(c.Available ? "yes" : "no")} ({c.Detail})";

    private static string Ranges(IReadOnlyList<IdRangeFact> ranges) => ranges.Count == 0 ? "none"
        : string.Join(", ", ranges.Select(r => $"{r.Start}-{r.Start + r.Count - 1} ({r.Count} ids of {r.Owner})"));

    private static void Capability(Utf8JsonWriter json, Capability c)
    {
        json.WriteBoolean("supported", c.Available);
        json.WriteString("detail", c.Detail);
    }

    private static void RangeArray(Utf8JsonWriter json, string name, IReadOnlyList<IdRangeFact> ranges)
    {
        json.WriteStartArray(name);
        foreach (var r in ranges)
        {
            json.WriteStartObject();
            json.WriteString("owner", r.Owner);
            json.WriteNumber("start", r.Start);
            json.WriteNumber("count", r.Count);
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    private static void StringArray(Utf8JsonWriter json, string name, IReadOnlyList<string> values)
    {
        json.WriteStartArray(name);
        foreach (var v in values) json.WriteStringValue(v);
        json.WriteEndArray();
    }
}
