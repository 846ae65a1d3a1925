using System.Diagnostics;

namespace Registry.Tests.Agent;

/// <summary>What the kernel says about a path (lstat and xattrs), read with stat(1) and getfattr-free python so no link is followed.</summary>
public sealed record FileFacts(string Type, string Mode, int Uid, int Gid, long MTime, long Inode, int Major, int Minor)
{
    public static FileFacts Of(string path)
    {
        var fields = Run("stat", "-c", "%F|%a|%u|%g|%Y|%i|%t|%T", path).Trim().Split('|');
        return new FileFacts(fields[0], fields[1], int.Parse(fields[2]), int.Parse(fields[3]), long.Parse(fields[4]),
                             long.Parse(fields[5]), Convert.ToInt32(fields[6], 16), Convert.ToInt32(fields[7], 16));
    }

    /// <summary>An extended attribute's value as text, or null when absent (never follows a symlink).</summary>
    public static string? Xattr(string path, string name)
    {
        var output = Run("python3", "-c",
            "import os,sys\ntry: sys.stdout.write(os.getxattr(sys.argv[1], sys.argv[2], follow_symlinks=False).decode())\nexcept OSError: sys.stdout.write('\\0absent')",
            path, name);
        return output == "\0absent" ? null : output;
    }

    private static string Run(string program, params string[] args)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{program} {string.Join(' ', args)}: {error}");
        return output;
    }
}
