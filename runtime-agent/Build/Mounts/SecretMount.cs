using System.Text;
using RuntimeAgent.Native;
using RuntimeAgent.Run;

namespace RuntimeAgent.Build.Mounts;

/// <summary>
/// A secret for one RUN step (BuildKit's semantics): as a file at its target, owned by <c>uid:gid</c> with
/// <c>mode</c> (default 0:0 and 0400), and/or as the environment variable <c>env=</c> names. The file is a copy on a
/// small tmpfs mounted on the host for the step (so the secret never touches the store's disk and the copy can carry
/// its own owner and mode), bound read-only into the container; the tmpfs goes when the step ends.
/// </summary>
internal static class SecretMount
{
    private const int DefaultMode = 0x100; // 0400
    private const long MaxBytes = 1 << 20;  // BuildKit's limit for a secret is 500 KiB; more is surely a mistake

    public static void Add(RunMountSpec spec, string file, string target, string scratch, PreparedMounts prepared)
    {
        var length = new FileInfo(file).Length;
        if (length > MaxBytes) throw new FormatException($"secret '{spec.Id}' is {length} bytes; secrets up to {MaxBytes} bytes are supported");
        if (spec.Env is { } name)
        {
            prepared.Environment.RemoveAll(e => e.StartsWith(name + "=", StringComparison.Ordinal));
            prepared.Environment.Add($"{name}={Encoding.UTF8.GetString(File.ReadAllBytes(file))}");
        }
        if (target.Length == 0) return;

        var directory = Directory.CreateDirectory(Path.Join(scratch, "secret")).FullName;
        if (Libc.Mount("tmpfs", directory, "tmpfs", Libc.MsNodev | Libc.MsNosuid | Libc.MsNoexec, $"size={MaxBytes + 65536},mode=0700") != 0)
            throw new IOException($"mount a tmpfs for secret '{spec.Id}': {Libc.ErrorText(Libc.LastError)}");
        prepared.Overlays.Add(directory);
        var copy = Path.Join(directory, "value");
        File.Copy(file, copy);
        if (Libc.Chown(copy, (uint)spec.Uid, (uint)spec.Gid) != 0) throw new IOException($"chown secret '{spec.Id}': {Libc.ErrorText(Libc.LastError)}");
        File.SetUnixFileMode(copy, (UnixFileMode)(spec.Mode ?? DefaultMode));
        prepared.Volumes.Add(new VolumeMount(copy, target, ReadOnly: true));
    }
}
