using Registry.Tests.Conformance;

namespace Registry.Tests.Agent.Unpack;

/// <summary>Sets and reads xattrs as raw bytes (hex) through python's os.*xattr, never following a symlink.</summary>
public static class HostXattrs
{
    public static Task SetHexAsync(string path, string name, string hex) => ExternalTool.RunAsync("python3",
        ["-c", "import os,sys; os.setxattr(sys.argv[1], sys.argv[2], bytes.fromhex(sys.argv[3]), follow_symlinks=False)", path, name, hex]);

    public static async Task<string> HexAsync(string path, string name) => (await ExternalTool.RunAsync("python3",
        ["-c", "import os,sys; print(os.getxattr(sys.argv[1], sys.argv[2], follow_symlinks=False).hex())", path, name])).Trim();
}
