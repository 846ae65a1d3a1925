using Registry.Tests.Conformance;

namespace Registry.Tests.Agent.Unpack;

/// <summary>Sets and reads xattrs as raw bytes (hex) through python's os.*xattr, never following a symlink.</summary>
public static class HostXattrs
{
    public static Task SetHexAsync(string path, string name, string hex) => ExternalTool.RunAsync("python3",
        ["-c", "import os,sys; os.setxattr(sys.argv[1], sys.argv[2], bytes.fromhex(sys.argv[3]), follow_symlinks=False)", path, name, hex]);

    /// <summary>
    /// Makes <c>ROOT/bin/NAME</c>, a small script carrying the file capabilities <paramref name="capabilities"/> (setcap
    /// syntax), and gives <c>ROOT/bin</c> a <c>user.blob</c> xattr of raw bytes. Returns the script's path.
    /// </summary>
    public static async Task<string> CapabilityTreeAsync(string root, string name, string capabilities, string blobHex)
    {
        Directory.CreateDirectory(Path.Combine(root, "bin"));
        var file = Path.Combine(root, "bin", name);
        File.WriteAllText(file, "#!/bin/sh\n");
        await ExternalTool.RunAsync("setcap", [capabilities, file]);
        await SetHexAsync(Path.Combine(root, "bin"), "user.blob", blobHex);
        return file;
    }

    public static async Task<string> HexAsync(string path, string name) => (await ExternalTool.RunAsync("python3",
        ["-c", "import os,sys; print(os.getxattr(sys.argv[1], sys.argv[2], follow_symlinks=False).hex())", path, name])).Trim();
}
