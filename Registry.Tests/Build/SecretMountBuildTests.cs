using System.Text;

namespace Registry.Tests.Build;

/// <summary>RUN --mount=type=secret's BuildKit options end to end: env=, uid, gid, mode, and the 0:0 0400 default.</summary>
[Trait("Category", "Integration")]
public sealed class SecretMountBuildTests
{
    [Fact]
    public async Task ASecretComesWithItsOwnerModeAndAsAVariableAndStaysOutOfTheImage()
    {
        await using var w = await BuildWorkspace.StartAsync();
        const string secret = "env-s3cr3t-0815";
        var secretSha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
        var secretFile = Path.Combine(w.Directory, "token.txt");
        File.WriteAllText(secretFile, secret);
        w.Write("Dockerfile", $$"""
            FROM {{w.BaseImage}}
            ENV TOKEN=from-env-instruction
            RUN --mount=type=secret,id=token stat -c '%u:%g %a' /run/secrets/token > /default
            RUN --mount=type=secret,id=token,target=/s/token,uid=1000,gid=2000,mode=0440 stat -c '%u:%g %a' /s/token > /owned
            RUN --mount=type=secret,id=token,env=TOKEN if [ "$(printf %s "$TOKEN" | sha256sum)" = "{{secretSha}}  -" ]; then echo env-seen; fi > /env \
                && ls /run/secrets 2>&1 | wc -l >> /env
            RUN --mount=type=secret,id=token,env=BOTH,target=/both if [ "$BOTH" = "$(cat /both)" ]; then echo both-seen; fi > /both-proof
            """);
        var tag = $"{w.Registry}/secret/env:1";
        var build = await w.BuildAsync(tag, "--secret", $"id=token,src={secretFile}");
        Assert.True(build.ExitCode == 0, build.ToString());
        Assert.DoesNotContain(secret, build.Stdout + build.Stderr);

        var run = await w.AgentAsync("run", tag, "/bin/sh", "-c", "cat /default /owned /env /both-proof; echo $TOKEN");
        Assert.True(run.ExitCode == 0, run.ToString());
        // env= alone mounts no file ("No such file" is one line); the ENV instruction's value is the image's again.
        Assert.Equal("0:0 400\n1000:2000 440\nenv-seen\n1\nboth-seen\nfrom-env-instruction\n", run.Stdout);
        foreach (var layer in await RunMountBuildTests.ExportedLayersAsync(w, tag))
        {
            Assert.DoesNotContain(secret, layer.Text);
            Assert.DoesNotContain(layer.Names, n => n.Contains("secrets") || n.TrimEnd('/') is "s" or "s/token" or "both");
        }
        foreach (var blob in Directory.EnumerateFiles(Path.Combine(w.Directory, "layout", "blobs", "sha256")))
            Assert.DoesNotContain(secret, File.ReadAllText(blob, Encoding.Latin1));
    }
}
