using System.Text.Json;
using Vae.Tests;

namespace Vae.Cli.Tests;

/// <summary><c>vae evaluate --json</c> on the tiny run <see cref="TestModel.Run"/> that <c>vae train</c> wrote.</summary>
public class EvaluateCommandTests
{
    [Fact]
    public void Json_reports_the_requested_subset_and_a_bound_no_looser_than_the_elbo()
    {
        var (exit, output, error) = CliRun.Run("evaluate", "--model", TestModel.Run, "--data", RepoPaths.RequireMnist(),
                                               "--k", "64", "--limit", "200", "--seed", "3", "--json");
        Assert.True(exit == 0, $"vae evaluate exited with {exit}: {error}");
        using JsonDocument json = JsonDocument.Parse(output.Trim());
        JsonElement root = json.RootElement;
        Assert.Equal(64, root.GetProperty("k").GetInt32());
        Assert.Equal(200, root.GetProperty("test_count").GetInt32());
        Assert.InRange(root.GetProperty("active_units").GetInt32(), 0, 4);
        double negElbo = root.GetProperty("neg_elbo").GetDouble(), nll = root.GetProperty("nll").GetDouble();
        Assert.True(double.IsFinite(nll) && nll > 0, $"nll {nll}");
        // The importance-weighted bound with 64 samples is tighter than the ELBO (Burda et al., 2016).
        Assert.True(nll < negElbo, $"nll {nll} not below −ELBO {negElbo}");
    }

    [Fact]
    public void A_folder_without_a_checkpoint_is_a_clear_error()
    {
        string empty = RepoPaths.NewTempFolder();
        Assert.Contains(empty, CliRun.Failure("evaluate", "--model", empty, "--data", RepoPaths.RequireMnist()));
    }
}
