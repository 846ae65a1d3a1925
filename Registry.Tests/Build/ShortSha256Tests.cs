using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Text;
using RuntimeAgent.Build.Image;

namespace Registry.Tests.Build;

/// <summary>The managed SHA-256 of step keys must be SHA-256: checked against FIPS vectors and OpenSSL's at every padding boundary.</summary>
[SupportedOSPlatform("linux")]
public sealed class ShortSha256Tests
{
    [Theory]
    [InlineData("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [InlineData("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")]
    [InlineData("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")]
    public void MatchesTheStandardsVectors(string text, string expected) => Assert.Equal(expected, ShortSha256.HexOf(text));

    [Fact]
    public void MatchesOpenSslForEveryLengthAcrossSeveralBlocksWhetherAppendedWholeOrInPieces()
    {
        var random = new Random(7);
        for (var length = 0; length <= 300; length++)
        {
            var data = new byte[length];
            random.NextBytes(data);
            var expected = Convert.ToHexStringLower(SHA256.HashData(data));

            var whole = new ShortSha256();
            whole.Append(data);
            Assert.Equal(expected, whole.FinishHex());

            var pieces = new ShortSha256();
            for (var offset = 0; offset < length;)
            {
                var take = Math.Min(length - offset, random.Next(1, 70));
                pieces.Append(data.AsSpan(offset, take));
                offset += take;
            }
            Assert.Equal(expected, pieces.FinishHex());
        }
    }

    [Fact]
    public void HashesUtf8()
    {
        const string text = "RUN echo héllo → ✓";
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text))), ShortSha256.HexOf(text));
    }
}
