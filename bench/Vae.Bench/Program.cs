using BenchmarkDotNet.Running;

// `make bench` runs every benchmark; pass BenchmarkDotNet arguments after `--` to pick some,
// e.g. `dotnet run -c Release --project bench/Vae.Bench -- --filter '*Inference*'`.
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
