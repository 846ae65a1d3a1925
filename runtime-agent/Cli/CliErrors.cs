using RuntimeAgent.Registry;
using RuntimeAgent.Unpack;

namespace RuntimeAgent.Cli;

/// <summary>Turns the agent's expected failures into one clear line on stderr and exit code 1.</summary>
public static class CliErrors
{
    public static async Task<int> RunAsync(Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (Exception e) when (e is RegistryException or LayerRefusedException or ImageNotFoundException
                                      or FormatException or IOException or UnauthorizedAccessException
                                      or HttpRequestException or TaskCanceledException)
        {
            Console.Error.WriteLine($"runtime-agent: {e.Message}");
            return 1;
        }
    }
}
