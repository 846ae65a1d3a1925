using System.Formats.Tar;
using Registry.Tests.Infrastructure;
using Registry.Tests.TestImages;

namespace Registry.Tests.Agent;

/// <summary>
/// A registry with one image that exercises every rule a snapshotter must follow: a whiteout, an opaque
/// directory, hardlinks, a symlink, owners and a setuid mode, an xattr and a file capability.
/// </summary>
public sealed class SnapshotImages : IAsyncLifetime
{
    // A VFS v2 file capability (magic 0x02000001 with the effective bit): permitted cap_net_bind_service (bit 10).
    public const string CapabilityHex = "0100000200040000000000000000000000000000";
    private RegistryServer? server;

    public string Reference { get; private set; } = "";

    public async Task InitializeAsync()
    {
        if (!AgentBinary.IsRoot) throw new InvalidOperationException("the snapshotter tests need root (mounts, chown, xattrs)");
        server = await RegistryServer.StartAsync();
        var image = ImageBuilder.FromBusybox()
            .Layer(l => l.File("etc/doomed.txt", "doomed").Directory("data").File("data/a.txt", "a")
                .Directory("opt").File("opt/a", "shared", uid: 1000, gid: 1001).Hardlink("opt/b", "opt/a")
                .File("opt/tool", "#!/bin/sh\n", (UnixFileMode)0b100_111_101_101, uid: 7, gid: 8).Symlink("opt/link", "/opt/tool")
                .Raw(new TarItem(TarEntryType.RegularFile, "opt/tagged", Content: () => new MemoryStream("x"u8.ToArray()),
                    PaxAttributes: new Dictionary<string, string> { ["SCHILY.xattr.user.origin"] = "test-layer" })))
            .Layer(l => l.Whiteout("etc/doomed.txt").OpaqueDirectory("data").File("data/c.txt", "c"))
            .Build();
        await new RegistryPushClient(server.Client).PushAsync("snap/rules", image, "1");
        Reference = $"{server.BaseAddress.Authority}/snap/rules:1";
    }

    /// <summary>What the container sees of the rules, as one line each.</summary>
    public const string Probe =
        "test -e /etc/doomed.txt; echo whiteout $?; echo opaque $(ls /data);" +
        "[ $(stat -c %i /opt/a) = $(stat -c %i /opt/b) ] && echo hardlink $(stat -c %h /opt/a);" +
        "echo owner $(stat -c '%u:%g %a' /opt/a /opt/tool); echo link $(readlink /opt/link)";

    public const string ProbeOutput = "whiteout 1\nopaque c.txt\nhardlink 2\nowner 1000:1001 644 7:8 4755\nlink /opt/tool\n";

    public async Task DisposeAsync()
    {
        if (server is not null) await server.DisposeAsync();
    }
}
