using System.CommandLine;
using Vae.Cli.Tables;
using Vae.Inference;
using Vae.Training.Data;

namespace Vae.Cli.Commands;

/// <summary>
/// <c>vae encode</c>: the latent code of every sample as CSV, one row per sample (<c>index</c>, <c>label</c> when the data
/// has labels, then the code): the posterior mean, mean and log-variance, or a seeded draw z ~ q(z|x).
/// </summary>
internal static class EncodeCommand
{
    private static readonly string[] Kinds = ["mean", "mean-logvar", "sample"];

    public static Command Create()
    {
        var inputs = new TableInputs("out/codes.csv");
        var kind = new Option<string>("--kind") { Description = $"What to write per sample: {string.Join(", ", Kinds)} (z = mean + exp(logvar/2)·ε)", DefaultValueFactory = _ => "mean" };
        var seed = new Option<int>("--seed") { Description = "--kind sample: seed for ε", DefaultValueFactory = _ => 1 };

        var command = new Command("encode", "Write the latent code of every sample (posterior mean, mean and log-variance, or a draw z ~ q(z|x)) as CSV, one row per sample.");
        inputs.AddTo(command, kind, seed);
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            string path = inputs.OutPath(parse);
            string what = parse.GetValue(kind)!;
            if (!Kinds.Contains(what)) throw new ArgumentException($"--kind is '{what}'; expected one of {string.Join(", ", Kinds)}.", "--kind");
            using VaeModel vae = VaeModel.Load(parse.GetValue(inputs.Model)!);
            Dataset data = inputs.Load(parse, vae);
            var (mean, logvar) = vae.Encode(data.Features, PictureInputs.ClassLabels(vae, data.Labels));
            int latent = vae.LatentSize;
            if (what == "sample") mean = VaeModel.SamplePosterior(mean, logvar, parse.GetValue(seed));

            CsvTable.Save(path, table =>
            {
                IEnumerable<string> codes = what switch
                {
                    "mean" => CsvTable.Numbered("mean", latent),
                    "mean-logvar" => CsvTable.Numbered("mean", latent).Concat(CsvTable.Numbered("logvar", latent)),
                    _ => CsvTable.Numbered("z", latent),
                };
                table.Header(TableInputs.KeyColumns(data).Concat(codes));
                for (int i = 0; i < data.Count; i++)
                {
                    TableInputs.RowStart(table, data, i);
                    table.Cells(mean.AsSpan(i * latent, latent));
                    if (what == "mean-logvar") table.Cells(logvar.AsSpan(i * latent, latent));
                    table.EndRow();
                }
            });
            TableInputs.ReportWritten(path, $"{data.Count:N0} rows: {what}, latent {latent}");
        }));
        return command;
    }
}
