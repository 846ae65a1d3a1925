using System.Buffers;
using System.Text.Json;

namespace RuntimeAgent.Run;

/// <summary>
/// The one writer of spec.json: the JSON <see cref="RunJsonContext"/> would write, byte for byte (ContainerJsonWriterTests
/// compare them for a spec with every property set), put down with a <see cref="Utf8JsonWriter"/>. The serializer's first
/// use in a process builds its options, converters and the type's metadata, ≈ 0.65 ms of CPU and 150 KB here, which
/// <c>run -d</c> paid while its container started (docs/PERFORMANCE.md, eleventh session); reading stays with the
/// serializer (<see cref="ContainerSpec.Load"/>). A property added to <see cref="ContainerSpec"/> is added here too, or that
/// test fails.
/// </summary>
internal static class ContainerSpecWriter
{
    public static byte[] ToUtf8(ContainerSpec spec)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var writer = new Utf8JsonWriter(buffer)) Write(writer, spec);
        return buffer.WrittenSpan.ToArray();
    }

    private static void Write(Utf8JsonWriter w, ContainerSpec s)
    {
        w.WriteStartObject();
        w.WriteString("Id", s.Id);
        Strings(w, "LowerDirs", s.LowerDirs);
        w.WriteString("UpperDir", s.UpperDir);
        w.WriteString("WorkDir", s.WorkDir);
        w.WriteString("RootFs", s.RootFs);
        w.WriteString("Hostname", s.Hostname);
        w.WriteBoolean("PrivateNetwork", s.PrivateNetwork);
        w.WriteString("NetworkNamespace", s.NetworkNamespace);
        w.WriteStartArray("Volumes");
        for (var i = 0; i < s.Volumes.Count; i++)
        {
            var volume = s.Volumes[i];
            w.WriteStartObject();
            w.WriteString("HostPath", volume.HostPath);
            w.WriteString("ContainerPath", volume.ContainerPath);
            w.WriteBoolean("ReadOnly", volume.ReadOnly);
            w.WriteBoolean("Idmap", volume.Idmap);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        Strings(w, "Args", s.Args);
        w.WriteStartArray("Tmpfs");
        for (var i = 0; i < s.Tmpfs.Count; i++)
        {
            var tmpfs = s.Tmpfs[i];
            w.WriteStartObject();
            w.WriteString("ContainerPath", tmpfs.ContainerPath);
            w.WriteNumber("Flags", tmpfs.Flags);
            w.WriteString("Data", tmpfs.Data);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteBoolean("TmpfsOnTmp", s.TmpfsOnTmp);
        w.WriteBoolean("ReadOnlyRoot", s.ReadOnlyRoot);
        Strings(w, "Env", s.Env);
        w.WriteString("WorkingDir", s.WorkingDir);
        w.WriteString("User", s.User);
        w.WriteBoolean("DisposableUpper", s.DisposableUpper);
        w.WriteStartObject("Security");
        w.WriteNumber("Capabilities", s.Security.Capabilities);
        w.WriteBoolean("NoNewPrivileges", s.Security.NoNewPrivileges);
        w.WriteString("SeccompProgramPath", s.Security.SeccompProgramPath);
        w.WriteBoolean("MaskKernelPaths", s.Security.MaskKernelPaths);
        w.WriteEndObject();
        Strings(w, "CgroupDirectories", s.CgroupDirectories);
        w.WriteBoolean("ReapZombies", s.ReapZombies);
        w.WriteBoolean("Tty", s.Tty);
        w.WriteBoolean("TerminalInput", s.TerminalInput);
        w.WriteString("TerminalPath", s.TerminalPath);
        w.WriteNumber("Snapshotter", (int)s.Snapshotter);
        if (s.UserNamespace is { } range)
        {
            w.WriteStartObject("UserNamespace");
            w.WriteNumber("HostUid", range.HostUid);
            w.WriteNumber("HostGid", range.HostGid);
            w.WriteNumber("Count", range.Count);
            w.WriteString("UidMap", range.UidMap);
            w.WriteString("GidMap", range.GidMap);
            w.WriteEndObject();
        }
        else w.WriteNull("UserNamespace");
        w.WriteNumber("ReadyFd", s.ReadyFd);
        w.WriteEndObject();
    }

    private static void Strings(Utf8JsonWriter w, string name, IReadOnlyList<string> values)
    {
        w.WriteStartArray(name);
        for (var i = 0; i < values.Count; i++) w.WriteStringValue(values[i]);
        w.WriteEndArray();
    }
}
