using Registry.Oci;

namespace Registry.Tests;

public class DigestTests
{
    [Theory]
    [InlineData("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", true)]
    [InlineData("sha256:e3b0c4", false)]
    [InlineData("md5:d41d8cd98f00b204e9800998ecf8427e", false)]
    [InlineData("sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855", false)]
    public void ParsesOnlyKnownAlgorithmsWithTheRightLength(string text, bool valid) =>
        Assert.Equal(valid, Digest.TryParse(text, out _));

    [Fact]
    public void DigestOfEmptyInputIsTheWellKnownOne() =>
        Assert.Equal("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Digest.Sha256Of([]).ToString());
}
