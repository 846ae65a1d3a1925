namespace RuntimeAgent.Containers.Attach;

/// <summary>
/// The key sequence that detaches <c>attach</c> (and <c>run -it</c> of a detached container) and leaves the container
/// running: Docker's format, comma-separated keys, each <c>ctrl-X</c> (X one of a-z @ [ \ ] ^ _) or one character.
/// Default <c>ctrl-p,ctrl-q</c>.
/// </summary>
internal sealed class DetachKeys
{
    public const string Default = "ctrl-p,ctrl-q";
    private readonly byte[] sequence;
    private int matched;

    private DetachKeys(byte[] sequence) => this.sequence = sequence;

    public static DetachKeys Parse(string text)
    {
        var keys = new List<byte>();
        foreach (var key in text.Split(','))
        {
            var k = key.Trim();
            if (k.Length == 1 && k[0] < 128) keys.Add((byte)k[0]);
            else if (k.StartsWith("ctrl-", StringComparison.OrdinalIgnoreCase) && k.Length == 6 && ControlCode(char.ToLowerInvariant(k[5])) is { } code)
                keys.Add(code);
            else throw new ContainerStateException($"invalid detach key '{k}': use ctrl-X (X one of a-z @ [ \\ ] ^ _) or one character, comma-separated");
        }
        return new DetachKeys([.. keys]);
    }

    private static byte? ControlCode(char c) => c switch
    {
        >= 'a' and <= 'z' => (byte)(c - 'a' + 1),
        '@' => 0,
        '[' or '\\' or ']' or '^' or '_' => (byte)(c - '@'),
        _ => null,
    };

    /// <summary>
    /// Feeds typed bytes through the matcher: the bytes to send on (a partial match is held back until it fails) and
    /// whether the whole sequence was typed.
    /// </summary>
    public (byte[] Forward, bool Detach) Feed(ReadOnlySpan<byte> typed)
    {
        var forward = new List<byte>(typed.Length);
        foreach (var b in typed)
        {
            if (b == sequence[matched])
            {
                if (++matched == sequence.Length) return ([.. forward], true);
                continue;
            }
            forward.AddRange(sequence.AsSpan(0, matched)); // not the sequence after all: the held keys were input
            matched = b == sequence[0] ? 1 : 0;
            if (matched == 0) forward.Add(b);
        }
        return ([.. forward], false);
    }
}
