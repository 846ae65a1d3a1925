using Registry.Oci;
using System.CommandLine;
using RuntimeAgent.Cli;
using RuntimeAgent.Registry;

namespace RuntimeAgent.Commands;

/// <summary>`login REGISTRY -u USER -p PASS|--password-stdin`: check the credentials, then save them in $root/auth.json.</summary>
public static class LoginCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var registry = new Argument<string>("REGISTRY") { Description = "Registry host, e.g. localhost:5000" };
        var username = new Option<string>("--username", "-u") { Description = "User name", Required = true };
        var password = new Option<string?>("--password", "-p") { Description = "Password (prefer --password-stdin)" };
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Read the password from standard input" };
        var insecure = PullCommand.InsecureOption();
        var command = new Command("login", "Save credentials for a registry after checking them")
        {
            registry, username, password, passwordStdin, insecure,
        };
        command.SetAction((parse, ct) => CliErrors.RunAsync(async () =>
        {
            var host = ImageReference.NormalizeRegistry(parse.GetValue(registry)!);
            var secret = parse.GetValue(passwordStdin) ? (await Console.In.ReadToEndAsync(ct)).TrimEnd('\r', '\n') : parse.GetValue(password);
            if (string.IsNullOrEmpty(secret)) throw new FormatException("a password is required: -p PASS or --password-stdin");
            var credentials = new Credentials(parse.GetValue(username)!, secret);

            using (var client = new RegistryClient(host, credentials, parse.GetValue(insecure)))
                await client.CheckAccessAsync(ct);
            new CredentialStore(globals.Layout(parse).AuthFile).Save(host, credentials);
            Console.WriteLine($"Login succeeded: {host}");
            return 0;
        }));
        return command;
    }
}
