namespace Vae.Training.Data;

/// <summary>A data file is malformed: bad magic, truncated payload, mismatched counts, wrong checksum.
/// The message names the file and the problem.</summary>
public sealed class DataFormatException : Exception
{
    public DataFormatException(string path, string problem)
        : base($"{path}: {problem}") => FilePath = path;

    public DataFormatException(string path, string problem, Exception inner)
        : base($"{path}: {problem}", inner) => FilePath = path;

    /// <summary>The file that could not be read.</summary>
    public string FilePath { get; }
}
