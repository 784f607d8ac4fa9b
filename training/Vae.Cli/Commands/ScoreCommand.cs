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

        var command = new Command("score", "Write the anomaly scores of every sample (−log p(x), −ELBO, reconstruction, KL, squared error; nats) as CSV, one row per sample.");
        inputs.AddTo(command, samples, seed);
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            string path = inputs.OutPath(parse);
            int draws = PictureInputs.Draws(parse, samples);
            using VaeModel vae = VaeModel.Load(parse.GetValue(inputs.Model)!);
            Dataset data = inputs.Load(parse, vae);
            AnomalyScore[] scores = PictureInputs.ScoreAll(vae, data, draws, parse.GetValue(seed));

            CsvTable.Save(path, table =>
            {
                table.Header(TableInputs.KeyColumns(data).Concat(["nll", "neg_elbo", "reconstruction", "kl", "squared_error"]));
                for (int i = 0; i < data.Count; i++)
                {
                    TableInputs.RowStart(table, data, i);
                    AnomalyScore s = scores[i];
                    table.Cells([s.NegativeLogLikelihood, s.NegativeElbo, s.ReconstructionNll, s.Kl, s.SquaredError]);
                    table.EndRow();
                }
            });
            TableInputs.ReportWritten(path, $"{data.Count:N0} rows, {draws} z sample{(draws == 1 ? "" : "s")} each");
        }));
        return command;
    }
}
