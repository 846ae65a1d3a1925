using System.CommandLine;
using RuntimeAgent.Commands;

var root = new Option<string>("--root") { Description = "State directory", Recursive = true, DefaultValueFactory = _ => "/var/lib/runtime-agent" };
var rootCommand = new RootCommand("runtime-agent") { root };
rootCommand.Subcommands.Add(RunCommand.Create(root));
rootCommand.Subcommands.Add(InitCommand.Create());
return await rootCommand.Parse(RunCommand.SeparateContainerCommand(rootCommand, args)).InvokeAsync();
