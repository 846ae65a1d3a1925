using System.Net.Sockets;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Agent;

/// <summary>
/// Published ports (a user-space proxy into the container's network namespace), the generated /etc/hosts,
/// /etc/hostname and /etc/resolv.conf, and --net container:NAME; as root against the published agent.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ContainerNetworkTests(RunImages images) : IClassFixture<RunImages>
{
    private const string Httpd = "mkdir -p /www && echo hello-from-httpd >/www/index.html && exec busybox httpd -f -p 80 -h /www";

    [Fact]
    public async Task BusyboxHttpdAnswersOnAPublishedLoopbackPort()
    {
        var name = Name();
        var port = LoopbackPorts.Free();
        try
        {
            await Ok("run", "-d", "--name", name, "-p", $"127.0.0.1:{port}:80", images.Configured, "sh", "-c", Httpd);
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            var body = await Retry(() => http.GetStringAsync($"http://127.0.0.1:{port}/"));
            Assert.Equal("hello-from-httpd\n", body);

            var ps = await Ok("ps");
            Assert.Contains($"127.0.0.1:{port}->80/tcp", Assert.Single(ps.Stdout.Split('\n'), l => l.EndsWith(name)));
        }
        finally
        {
            await images.Agent("rm", "-f", name);
        }
        // The listener went with the monitor.
        using var probe = new TcpClient();
        await Assert.ThrowsAnyAsync<SocketException>(() => probe.ConnectAsync("127.0.0.1", port));
    }

    [Fact]
    public async Task ATakenPortFailsRunWithOneLineAndLeavesNothing()
    {
        using var taken = new TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;
        var name = Name();
        var result = await images.Agent("run", "-d", "--name", name, "-p", $"{port}:80", images.Configured, "sleep", "60");
        Assert.Equal(125, result.ExitCode);
        Assert.StartsWith($"runtime-agent: cannot publish 127.0.0.1:{port}->80/tcp", result.Stderr);
        Assert.DoesNotContain(name, (await Ok("ps", "-a")).Stdout);

        var bad = await images.Agent("run", "-d", "-p", "80", images.Configured, "true");
        Assert.Equal("runtime-agent: invalid port mapping '80': expected [HOST_IP:]HOST_PORT:CONTAINER_PORT\n", bad.Stderr);
        var hostNet = await images.Agent("run", "-d", "--net", "host", "-p", "8080:80", images.Configured, "true");
        Assert.Contains("--publish needs the private network", hostNet.Stderr);
    }

    [Fact]
    public async Task EtcFilesNameTheContainerAndAddedHostsResolve()
    {
        var result = await Ok("run", "--hostname", "web-1", "--add-host", "db.internal:10.1.2.3", "--dns", "192.0.2.53", images.Configured,
            "sh", "-c", "cat /etc/hostname; grep -c web-1 /etc/hosts; cat /etc/resolv.conf; busybox ping -c1 -W1 db.internal 2>&1 | head -1");
        var lines = result.Stdout.Split('\n');
        Assert.Equal("web-1", lines[0]);
        Assert.Equal("1", lines[1]);
        Assert.Contains("nameserver 192.0.2.53", result.Stdout);
        Assert.DoesNotContain("nameserver 127.", result.Stdout);
        // The resolver read the generated /etc/hosts: ping names the address before it fails (no route out).
        Assert.Contains("PING db.internal (10.1.2.3)", result.Stdout);
    }

    [Fact]
    public async Task NetContainerSharesTheOtherContainersLoopback()
    {
        var name = Name();
        try
        {
            await Ok("run", "-d", "--name", name, images.Configured, "sh", "-c", Httpd);
            var fetched = await Retry(async () =>
            {
                var r = await Ok("run", "--net", $"container:{name}", images.Configured, "busybox", "wget", "-qO-", "http://127.0.0.1:80/");
                return r.Stdout;
            });
            Assert.Equal("hello-from-httpd\n", fetched);
        }
        finally
        {
            await images.Agent("rm", "-f", name);
        }
    }

    private static string Name() => $"n{Guid.NewGuid():N}"[..13];

    private async Task<AgentResult> Ok(params string[] args)
    {
        var result = await images.Agent(args);
        Assert.True(result.ExitCode == 0, $"runtime-agent {string.Join(' ', args)} failed: {result}");
        return result;
    }

    /// <summary>The server inside the container may take a moment to listen after run -d returns.</summary>
    private static async Task<T> Retry<T>(Func<Task<T>> attempt)
    {
        for (var i = 0; ; i++)
        {
            try
            {
                return await attempt();
            }
            catch (Exception) when (i < 50)
            {
                await Task.Delay(100);
            }
        }
    }
}
