// The command tree lives in Cli.cs so that tests can run the same commands in-process.
return Vae.Cli.Cli.Run(args);
