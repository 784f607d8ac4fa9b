using Vae.Tests;

namespace Vae.Cli.Tests;

public class CurvesCommandTests
{
    private readonly string folder = RepoPaths.NewTempFolder();

    [Fact]
    public void Plots_the_columns_vae_train_writes_today()
    {
        string csv = Write("epoch,train_loss,test_neg_elbo,test_reconstruction,test_kl,seconds",
                           "1,165.0,127.4,106.2,21.2,8.4", "2,121.6,115.6,91.7,23.9,2.6", "3,114.2,111.9,88.6,23.7,2.9");
        string png = Path.Combine(folder, "curves.png");
        // Four panels (−ELBO, reconstruction, KL, seconds) of 560 × 380 in two columns under a 34-pixel heading.
        Assert.Equal((1120, 34 + 2 * 380), CliRun.Png(png, "curves", "--run", csv, "--out", png));
    }

    [Fact]
    public void Reads_columns_by_name_whatever_their_order_and_plots_every_one()
    {
        Write("train_neg_elbo,epoch,val_neg_elbo,train_reconstruction,val_reconstruction,train_kl,val_kl,active_units,lr,seconds",
              "160,1,130,140,110,20,20,12,0.001,3.1", "120,2,118,100,95,22,23,14,0.0009,3.0");
        string png = Path.Combine(folder, "out", "curves.png");
        // Six panels: −ELBO, reconstruction, KL, active units, learning rate, seconds. The run folder is enough.
        Assert.Equal((1120, 34 + 3 * 380), CliRun.Png(png, "curves", "--run", folder, "--out", png));
    }

    [Fact]
    public void Plots_every_column_of_the_full_metrics_csv_header()
    {
        // The header of Vae.Training's EpochMetrics.CsvHeader; no validation split here (empty cells).
        string csv = Write("epoch,train_loss,train_neg_elbo,train_reconstruction,train_kl,val_neg_elbo,val_reconstruction,val_kl," +
                           "test_neg_elbo,test_reconstruction,test_kl,active_units,lr,beta,seconds",
                           "1,164.9,164.9,143.1,21.8,,,,127.4,106.2,21.2,17,0.001,1,8.4",
                           "2,121.6,121.6,97.7,23.9,,,,115.6,91.7,23.9,18,0.001,1,2.6");
        string png = Path.Combine(folder, "curves.png");
        // Seven panels (−ELBO, reconstruction, KL, active units, learning rate, β, seconds) in two columns.
        Assert.Equal((1120, 34 + 4 * 380), CliRun.Png(png, "curves", "--run", csv, "--out", png));
    }

    [Fact]
    public void Plots_the_metrics_csv_that_vae_train_wrote()
    {
        string png = Path.Combine(folder, "run-curves.png");
        var (width, height) = CliRun.Png(png, "curves", "--run", TestModel.Run, "--out", png);
        Assert.Equal(1120, width);
        Assert.True(height >= 34 + 2 * 380, $"height {height}: expected at least two rows of panels");
    }

    [Fact]
    public void Missing_metrics_file_is_a_clear_error()
    {
        string error = CliRun.Failure("curves", "--run", Path.Combine(folder, "nowhere"), "--out", Path.Combine(folder, "c.png"));
        Assert.Contains("metrics file not found", error);
    }

    [Fact]
    public void Ragged_or_non_numeric_rows_name_the_line()
    {
        string csv = Write("epoch,test_kl", "1,20", "2");
        Assert.Contains("line 3: 1 values; expected 2", CliRun.Failure("curves", "--run", csv, "--out", Path.Combine(folder, "c.png")));
        Write("epoch,test_kl", "1,twenty");
        Assert.Contains("column 'test_kl': 'twenty' is not a number", CliRun.Failure("curves", "--run", csv, "--out", Path.Combine(folder, "c.png")));
    }

    [Fact]
    public void A_chart_too_tall_to_view_is_refused_before_it_is_drawn()
    {
        // 173 value columns: 87 rows of 380-pixel panels under the heading, 33,094 pixels; a 785-column data CSV drew 149,374
        string[] names = ["epoch", .. Enumerable.Range(0, 173).Select(i => $"m{i}")];
        string csv = Write(string.Join(',', names), string.Join(',', names.Select((_, i) => i)));
        string png = Path.Combine(folder, "tall.png");
        Assert.Contains("the chart of 173 panels would be 1,120×33,094 pixels; expected at most 32,767 per side",
                        CliRun.Failure("curves", "--run", csv, "--out", png));
        Assert.False(File.Exists(png));

        // 172 columns: 86 rows, 32,714 pixels, drawn
        Write(string.Join(',', names[..^1]), string.Join(',', names[..^1].Select((_, i) => i)));
        Assert.Equal((1120, 34 + 86 * 380), CliRun.Png(png, "curves", "--run", csv, "--out", png));
    }

    [Fact]
    public void Output_must_be_a_png_path()
    {
        string csv = Write("epoch,test_kl", "1,20");
        Assert.Contains("expected a path ending in .png", CliRun.Failure("curves", "--run", csv, "--out", Path.Combine(folder, "c.jpg")));
    }

    private string Write(params string[] lines)
    {
        string path = Path.Combine(folder, "metrics.csv");
        File.WriteAllLines(path, lines);
        return path;
    }
}
