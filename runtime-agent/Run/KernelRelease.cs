namespace RuntimeAgent.Run;

/// <summary>The running kernel's release (<c>/proc/sys/kernel/osrelease</c>), for features a version implies.</summary>
internal static class KernelRelease
{
    private static readonly Lazy<string> Text = new(() => File.ReadAllText("/proc/sys/kernel/osrelease").Trim());

    /// <summary>The release string, as uname -r prints it.</summary>
    public static string Name => Text.Value;

    /// <summary>Whether the kernel is <paramref name="minimum"/> or newer (only major.minor are compared).</summary>
    public static bool AtLeast(Version minimum)
    {
        var numbers = Name.Split('.', '-').Take(2).Select(part => int.TryParse(part, out var n) ? n : 0).ToArray();
        return numbers.Length < 2 || new Version(numbers[0], numbers[1]) >= minimum;
    }
}
