using System.Runtime.Versioning;
using RuntimeAgent.Build.Mounts;

namespace Registry.Tests.Build;

/// <summary>RUN --mount option parsing: BuildKit's defaults, aliases and one clear message per mistake.</summary>
[SupportedOSPlatform("linux")]
public sealed class RunMountSpecTests
{
    [Fact]
    public void ACacheMountDefaultsItsIdToTheTargetAndIsSharedAndWritable()
    {
        var spec = RunMountSpec.Parse("type=cache,target=/root/.cache");
        Assert.Equal((RunMountType.Cache, "/root/.cache", "/root/.cache", CacheSharing.Shared, true), (spec.Type, spec.Target, spec.Id, spec.Sharing, spec.ReadWrite));
        var locked = RunMountSpec.Parse("type=cache,dst=/c,id=go,sharing=locked,uid=1000,gid=1000,mode=0700,ro");
        Assert.Equal(("go", CacheSharing.Locked, 1000, 1000, 0x1C0, false), (locked.Id, locked.Sharing, locked.Uid, locked.Gid, locked.Mode, locked.ReadWrite));
    }

    [Fact]
    public void ABindIsTheDefaultTypeAndReadOnlyUnlessRw()
    {
        var spec = RunMountSpec.Parse("target=/src,source=app,from=builder");
        Assert.Equal((RunMountType.Bind, "app", "builder", false), (spec.Type, spec.Source, spec.From, spec.ReadWrite));
        Assert.True(RunMountSpec.Parse("type=bind,target=/src,rw=true").ReadWrite);
        Assert.True(RunMountSpec.Parse("type=bind,target=/src,readwrite").ReadWrite);
    }

    [Fact]
    public void ASecretMountsUnderRunSecretsByDefaultAndIsOptionalUnlessRequired()
    {
        var spec = RunMountSpec.Parse("type=secret,id=npmrc");
        Assert.Equal(("/run/secrets/npmrc", false), (spec.Target, spec.Required));
        Assert.Equal("token", RunMountSpec.Parse("type=secret,target=/etc/token,required").Id);
        Assert.Equal(1L << 20, RunMountSpec.Parse("type=tmpfs,target=/t,size=1m").Size);
    }

    [Theory]
    [InlineData("type=cache", "--mount=type=cache: target= is required")]
    [InlineData("type=volume,target=/v", "unknown type 'volume' (bind, cache, tmpfs, secret)")]
    [InlineData("type=ssh", "type=ssh is not supported")]
    [InlineData("type=cache,target=/c,sharing=sometimes", "sharing=sometimes: expected shared, private or locked")]
    [InlineData("type=cache,target=/c,mode=999", "mode=999: expected an octal mode")]
    [InlineData("type=bind,target=/c,rw=maybe", "rw=maybe: expected true or false")]
    [InlineData("type=secret", "a secret needs id= (or target=)")]
    [InlineData("type=secret,id=a,size=1k", "unknown option 'size' for type=secret (target, id, required, env, uid, gid, mode)")]
    [InlineData("type=secret,id=a,env=1BAD", "env=1BAD: not a variable name")]
    [InlineData("type=tmpfs,target=/t,size=lots", "invalid size 'lots'")]
    [InlineData("type=cache,target=/a,target=/b", "'target' given twice")]
    public void AMistakeIsOneClearMessage(string text, string message) =>
        Assert.Contains(message, Assert.Throws<FormatException>(() => RunMountSpec.Parse(text)).Message);
}
