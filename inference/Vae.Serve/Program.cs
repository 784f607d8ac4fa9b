// vae-serve with ONNX Runtime's CPU build; everything else lives in Vae.Server.
return Vae.Server.VaeServe.Main(args);
