using System.Runtime.InteropServices;

namespace RuntimeAgent.Native;

/// <summary>The libc calls `run -t` needs: pty ioctls, the caller's terminal modes, chown of the pty's slave.</summary>
internal static unsafe partial class Libc
{
    public const ulong TiocGwinsz = 0x5413, TiocSwinsz = 0x5414, TiocSptlck = 0x40045431, TiocGptn = 0x80045430;
    public const int ONoCtty = 0x100, TcsaNow = 0, EIo = 5;
    /// <summary>glibc's struct termios is 60 bytes on x86_64; a larger buffer is harmless.</summary>
    public const int TermiosBytes = 64;

    [LibraryImport(Lib, EntryPoint = "tcgetattr", SetLastError = true)]
    public static partial int Tcgetattr(int fd, byte* termios);

    [LibraryImport(Lib, EntryPoint = "tcsetattr", SetLastError = true)]
    public static partial int Tcsetattr(int fd, int when, byte* termios);

    [LibraryImport(Lib, EntryPoint = "cfmakeraw")]
    public static partial void Cfmakeraw(byte* termios);

    [LibraryImport(Lib, EntryPoint = "chown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Chown(string path, uint owner, uint group);
}
