Console.Error.WriteLine("runtime-agent: not built yet");
return 1;
