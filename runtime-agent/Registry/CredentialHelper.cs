using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Registry.Oci;

namespace RuntimeAgent.Registry;

/// <summary>What <c>docker-credential-NAME get</c> prints on success.</summary>
public sealed record HelperCredentials(
    [property: JsonPropertyName("ServerURL")] string? ServerUrl,
    [property: JsonPropertyName("Username")] string? Username,
    [property: JsonPropertyName("Secret")] string? Secret);

/// <summary>
/// Runs a Docker credential helper (<c>credsStore</c> / <c>credHelpers</c> of a config file), the way docker and podman
/// do: <c>docker-credential-NAME get</c> from PATH, the server URL on stdin, <c>{ServerURL,Username,Secret}</c> on stdout;
/// a <c>&lt;token&gt;</c> username makes the secret an identity token. Bounded by a timeout (default 10 s,
/// $RUNTIME_AGENT_CREDENTIAL_HELPER_TIMEOUT in seconds); the helper's stderr is read and dropped, never echoed, and its
/// stdout is quoted in an error only when it is not JSON (a failing helper prints its reason there).
/// See: https://github.com/docker/docker-credential-helpers#development
/// </summary>
public static class CredentialHelper
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The helper's answer for <paramref name="registry"/>; null when it has none ("credentials not found").</summary>
    public static Credentials? Get(string name, string registry, string configFile)
    {
        var program = "docker-credential-" + name;
        if (name.Length == 0 || name.Contains('/'))
            throw new RegistryException($"{configFile}: invalid credential helper name '{name}'");
        var info = new ProcessStartInfo(program, ["get"])
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new Win32Exception();
        }
        catch (Win32Exception)
        {
            throw new RegistryException($"credential helper {program} (named in {configFile}) is not on PATH or cannot be run");
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync(); // drained so the helper never blocks; never shown
            try
            {
                process.StandardInput.Write(ServerUrl(registry));
                process.StandardInput.Close();
            }
            catch (IOException) { } // the helper exited without reading: its exit status says why
            var timeout = Timeout();
            if (!process.WaitForExit(timeout))
            {
                // The helper only: walking its tree reads all of /proc, seconds on a busy host; a child it left behind
                // is not waited for (its pipes are not read after this).
                try { process.Kill(); } catch (InvalidOperationException) { }
                throw new RegistryException($"credential helper {program} did not answer for {registry} within {timeout.TotalSeconds:0.#} s");
            }
            // A child the helper left behind may still hold its pipes: the wait for them is bounded too.
            if (!Task.WaitAll([stdout, stderr], timeout))
                throw new RegistryException($"credential helper {program} did not close its output for {registry} within {timeout.TotalSeconds:0.#} s");
            var output = stdout.Result.Trim();
            if (process.ExitCode != 0)
            {
                if (output.Contains("credentials not found", StringComparison.OrdinalIgnoreCase)) return null;
                throw new RegistryException($"credential helper {program} failed for {registry} (exit {process.ExitCode}){Reason(output)}");
            }
            return Parse(output, program, registry);
        }
    }

    /// <summary>Docker names Docker Hub by its old index URL in every credential store; other registries by host[:port].</summary>
    public static string ServerUrl(string registry) =>
        registry == ImageReference.DockerHub ? "https://index.docker.io/v1/" : registry;

    private static Credentials? Parse(string output, string program, string registry)
    {
        HelperCredentials? answer;
        try
        {
            answer = JsonSerializer.Deserialize(output, AgentJsonContext.Default.HelperCredentials);
        }
        catch (JsonException)
        {
            throw new RegistryException($"credential helper {program} answered for {registry} with something that is not its JSON");
        }
        if (answer is not { Secret.Length: > 0 }) return null;
        return new Credentials(answer.Username ?? "", answer.Secret);
    }

    /// <summary>A failing helper explains itself on stdout; quoted when it is one short line of text and not a JSON answer.</summary>
    private static string Reason(string output)
    {
        var line = output.Split('\n', 2)[0].Trim();
        return line.Length is > 0 and <= 200 && !line.StartsWith('{') ? ": " + line : "";
    }

    private static TimeSpan Timeout() =>
        Environment.GetEnvironmentVariable("RUNTIME_AGENT_CREDENTIAL_HELPER_TIMEOUT") is { } text
        && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds > 0
            ? TimeSpan.FromSeconds(seconds) : DefaultTimeout;
}
