using System.Diagnostics;
using System.Text;
using Xunit.Abstractions;

namespace Vae.Tests.Fuzz;

/// <summary>One mutated input and how to judge what a reader makes of it.</summary>
internal sealed class FuzzCase
{
    /// <summary>How the valid input was changed (for reproducing a failure with the case's seed).</summary>
    public required string Description { get; init; }

    /// <summary>Runs the reader and checks its result; throws <see cref="FuzzMismatch"/> when the result is not the
    /// correct one (a silently different data set, a model that loads but does not run).</summary>
    public required Action Read { get; init; }

    /// <summary>Whether an exception the reader threw is a clear, typed error: the expected exception type, and a message
    /// that names the file (or the folder) that was read.</summary>
    public required Func<Exception, bool> IsClearError { get; init; }
}

/// <summary>A reader returned a result the case's oracle rejects.</summary>
internal sealed class FuzzMismatch(string message) : Exception(message);

/// <summary>What a fuzz run found: every case is read correctly, refused with a clear error, or a failure.</summary>
internal sealed record FuzzReport(string Reader, int Cases, int Correct, int Refused, int Crashes, int Hangs, int WrongResults, double Seconds)
{
    public override string ToString() =>
        $"{Reader}: {Cases:N0} cases in {Seconds:F1} s: {Correct:N0} read correctly, {Refused:N0} refused with a clear error, " +
        $"{Crashes:N0} crashes, {Hangs:N0} hangs, {WrongResults:N0} wrong results";
}

/// <summary>
/// Runs seeded mutations of a reader's input. Case i of a reader draws from <c>new Random(seed + i)</c>, so a failure is
/// reproduced by its index. Each case runs on a worker with a time limit (a hang is reported, not waited for); a native
/// abort ends the test process, which fails the run as loudly. <c>make test</c> runs the counts the tests give;
/// <c>make fuzz</c> multiplies them by <c>VAE_FUZZ_SCALE</c> and appends each report to <c>VAE_FUZZ_REPORT</c>.
/// </summary>
internal static class FuzzRunner
{
    /// <summary>How long one case may take before it counts as a hang (generous: the machine may be shared).</summary>
    public static readonly TimeSpan CaseTimeout = TimeSpan.FromSeconds(30);

    /// <summary><paramref name="makeTest"/> times <c>VAE_FUZZ_SCALE</c> (1 when unset).</summary>
    public static int Cases(int makeTest) =>
        int.TryParse(Environment.GetEnvironmentVariable("VAE_FUZZ_SCALE"), out int scale) && scale > 0 ? makeTest * scale : makeTest;

    /// <summary>Runs <paramref name="cases"/> cases made by <paramref name="make"/> and fails the test on any crash, hang or wrong result.</summary>
    public static FuzzReport Run(string reader, int cases, int seed, Func<Random, int, FuzzCase> make, ITestOutputHelper? output = null)
    {
        var clock = Stopwatch.StartNew();
        int correct = 0, refused = 0, crashes = 0, hangs = 0, wrong = 0;
        var failures = new StringBuilder();
        for (int i = 0; i < cases && hangs == 0; i++)
        {
            FuzzCase fuzz = make(new Random(seed + i), i);
            if (Environment.GetEnvironmentVariable("VAE_FUZZ_TRACE") is { Length: > 0 } trace)
                File.WriteAllText(trace, $"{reader} case {i}: {fuzz.Description}\n");   // names the case that ends the process, should one
            Exception? thrown = null;
            var task = Task.Run(() =>
            {
                try { fuzz.Read(); }
                catch (Exception e) { thrown = e; }
            });
            if (!task.Wait(CaseTimeout))
            {
                hangs++;   // the worker cannot be stopped; the run ends here
                Note(failures, i, fuzz, $"no answer after {CaseTimeout.TotalSeconds:F0} s");
                continue;
            }
            switch (thrown)
            {
                case null: correct++; break;
                case FuzzMismatch m: wrong++; Note(failures, i, fuzz, $"wrong result: {m.Message}"); break;
                case var e when fuzz.IsClearError(e): refused++; break;
                default: crashes++; Note(failures, i, fuzz, $"{thrown.GetType().Name}: {FirstLine(thrown.Message)} {FirstLine(thrown.StackTrace ?? "")}"); break;
            }
        }
        var report = new FuzzReport(reader, cases, correct, refused, crashes, hangs, wrong, clock.Elapsed.TotalSeconds);
        output?.WriteLine(report.ToString());
        if (Environment.GetEnvironmentVariable("VAE_FUZZ_REPORT") is { Length: > 0 } file)
            File.AppendAllText(file, report + Environment.NewLine);
        Assert.True(crashes + hangs + wrong == 0, $"{report}\nseed {seed}, first failures:\n{failures}");
        return report;
    }

    private static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();

    private static void Note(StringBuilder failures, int index, FuzzCase fuzz, string what)
    {
        if (failures.Length < 6000) failures.AppendLine($"  case {index} ({fuzz.Description}): {what}");
    }
}
