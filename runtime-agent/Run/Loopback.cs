using static RuntimeAgent.Native.Libc;

namespace RuntimeAgent.Run;

/// <summary>Brings up "lo" in a new network namespace (it starts down), so 127.0.0.1 works inside the container.</summary>
internal static unsafe class Loopback
{
    private const ulong SiocGifFlags = 0x8913, SiocSifFlags = 0x8914;
    private const short IffUp = 0x1;

    public static void BringUp()
    {
        var fd = ContainerSetupException.Check(Socket(2 /* AF_INET */, 2 /* SOCK_DGRAM */ | OCloExec, 0), "socket");
        try
        {
            var request = stackalloc byte[40]; // struct ifreq: 16-byte name, then the flags union
            new Span<byte>(request, 40).Clear();
            "lo"u8.CopyTo(new Span<byte>(request, 16));
            ContainerSetupException.Check(Ioctl(fd, SiocGifFlags, request), "read the flags of lo");
            *(short*)(request + 16) |= IffUp;
            ContainerSetupException.Check(Ioctl(fd, SiocSifFlags, request), "bring lo up");
        }
        finally
        {
            Close(fd);
        }
    }
}
