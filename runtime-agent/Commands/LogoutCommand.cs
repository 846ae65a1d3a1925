using Registry.Oci;
using System.CommandLine;
using RuntimeAgent.Cli;
using RuntimeAgent.Registry;

namespace RuntimeAgent.Commands;

/// <summary>`logout REGISTRY`: forget saved credentials.</summary>
public static class LogoutCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var registry = new Argument<string>("REGISTRY") { Description = "Registry host, e.g. localhost:5000" };
        var command = new Command("logout", "Forget the credentials saved for a registry") { registry };
        command.SetAction((parse, ct) => CliErrors.RunAsync(() =>
        {
            var host = ImageReference.NormalizeRegistry(parse.GetValue(registry)!);
            if (!new CredentialStore(globals.Layout(parse).AuthFile).Remove(host))
                throw new RegistryException($"not logged in to {host}");
            Console.WriteLine($"Removed credentials for {host}");
            return Task.FromResult(0);
        }));
        return command;
    }
}
