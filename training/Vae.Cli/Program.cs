// The command tree lives in Cli.cs so that tests can run the same commands in-process.
// Process-wide native settings belong here, where the process starts: libtorch's NNPACK is off (see Nnpack), as
// PyTorch's torch.backends.nnpack.set_flags(False) would set it, so small convolutions print no warnings.
Vae.Training.Native.Nnpack.Disable();
return Vae.Cli.Cli.Run(args);
