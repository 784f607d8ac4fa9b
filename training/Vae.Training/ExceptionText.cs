namespace Vae.Training;

/// <summary>Exception messages as one line for people: the library's argument errors already name the parameter, so
/// .NET's trailing " (Parameter 'x')" would name it twice.</summary>
public static class ExceptionText
{
    /// <summary>The message of <paramref name="e"/> without the " (Parameter '…')" suffix of an <see cref="ArgumentException"/>.</summary>
    public static string Of(Exception e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return e is ArgumentException { ParamName: { } name } ? e.Message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal) : e.Message;
    }
}
