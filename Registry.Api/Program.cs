using Registry.Api;
using Registry.Api.Operations;

try
{
    var app = RegistryApp.Create(args);
    await app.StartAsync();
    await app.WaitForShutdownAsync();
    return 0;
}
catch (Exception error) when (StartupFailure.Describe(error) is { } line)
{
    // A bad setting: one line naming the variable, no stack trace.
    Console.Error.WriteLine(line);
    return 1;
}
