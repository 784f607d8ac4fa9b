using System.CommandLine;
using Vae.Cli.Tables;
using Vae.Inference;
using Vae.Training.Data;

namespace Vae.Cli.Commands;

/// <summary>
/// <c>vae score</c>: the anomaly scores of every sample as CSV, one row per sample (<c>index</c>, <c>label</c> when the
/// data has labels, then −log p(x), −ELBO, reconstruction, KL and squared error; see <see cref="AnomalyScore"/>).
/// </summary>
internal static class ScoreCommand
{
    public static Command Create()
    {
        var inputs = new TableInputs("out/scores.csv");
        var samples = new Option<int>("--samples") { Description = "Latent samples z ~ q(z|x) per sample for nll, neg_elbo and reconstruction", DefaultValueFactory = _ => 10 };
        var seed = new Option<int>("--seed") { Description = "Seed for the latent samples", DefaultValueFactory = _ => 1 };
        var perValue = new Option<bool>("--per-value") { Description = "Also write each value's squared error (x - x̂)², x̂ decoded from the posterior mean, as columns sq_0 … (they sum to squared_error): which values make a sample anomalous, in the model's units (standard deviations for a --normalize standard model)" };

        var command = new Command("score", "Write the anomaly scores of every sample (−log p(x), −ELBO, reconstruction, KL, squared error; nats) as CSV, one row per sample.");
        inputs.AddTo(command, samples, seed, perValue);
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            string path = inputs.OutPath(parse);
            int draws = PictureInputs.Draws(parse, samples);
            using VaeModel vae = VaeModel.Load(parse.GetValue(inputs.Model)!);
            Dataset data = inputs.Load(parse, vae);
            AnomalyScore[] scores = vae.ScoreAnomalies(data.Features, draws, parse.GetValue(seed), PictureInputs.ClassLabels(vae, data.Labels));
            float[]? squared = parse.GetValue(perValue) ? SquaredErrors(vae, data) : null;

            CsvTable.Save(path, table =>
            {
                table.Header(TableInputs.KeyColumns(data).Concat(["nll", "neg_elbo", "reconstruction", "kl", "squared_error"])
                                                        .Concat(squared is null ? [] : CsvTable.Numbered("sq", vae.InputSize)));
                for (int i = 0; i < data.Count; i++)
                {
                    TableInputs.RowStart(table, data, i);
                    AnomalyScore s = scores[i];
                    table.Cells([s.NegativeLogLikelihood, s.NegativeElbo, s.ReconstructionNll, s.Kl, s.SquaredError]);
                    if (squared is not null) table.Cells(squared.AsSpan(i * vae.InputSize, vae.InputSize));
                    table.EndRow();
                }
            });
            TableInputs.ReportWritten(path, $"{data.Count:N0} rows, {draws} z sample{(draws == 1 ? "" : "s")} each");
        }));
        return command;
    }

    /// <summary>(x − x̂)² per value of every sample, x̂ the reconstruction from the posterior mean (what
    /// <see cref="AnomalyScore.SquaredError"/> sums).</summary>
    private static float[] SquaredErrors(VaeModel vae, Dataset data)
    {
        float[] x = data.Features, squared = vae.Reconstruct(x, PictureInputs.ClassLabels(vae, data.Labels));   // x̂ first, then (x − x̂)² in place
        for (int i = 0; i < x.Length; i++) squared[i] = (x[i] - squared[i]) * (x[i] - squared[i]);
        return squared;
    }
}
