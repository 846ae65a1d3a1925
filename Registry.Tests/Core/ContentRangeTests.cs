using Registry.Api.Uploads;

namespace Registry.Tests.Core;

public sealed class ContentRangeTests
{
    [Theory]
    [InlineData("0-99", 0, 99)]
    [InlineData("100-199", 100, 199)]
    [InlineData("bytes 5-9", 5, 9)]
    [InlineData("bytes=5-9/100", 5, 9)]
    public void ParsesInclusiveBounds(string text, long start, long end)
    {
        Assert.True(ContentRange.TryParse(text, out var range));
        Assert.Equal(new ContentRange(start, end), range);
    }

    [Theory]
    [InlineData("")]
    [InlineData("banana")]
    [InlineData("-5")]
    [InlineData("5-")]
    [InlineData("1-2-3")]
    [InlineData("+1-5")]
    public void RefusesNonsense(string text) => Assert.False(ContentRange.TryParse(text, out _));

    [Theory]
    [InlineData(0, "0-0")]
    [InlineData(1, "0-0")]
    [InlineData(100, "0-99")]
    public void RangeHeaderEndsAtTheLastStagedByte(long offset, string header) => Assert.Equal(header, ContentRange.HeaderFor(offset));
}
