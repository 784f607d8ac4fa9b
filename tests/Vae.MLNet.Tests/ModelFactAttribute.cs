namespace Vae.MLNet.Tests;

/// <summary>A fact that needs the reference model (<see cref="TestData.ModelPath"/>); skipped with the reason when it is absent.</summary>
public sealed class ModelFactAttribute : FactAttribute
{
    public ModelFactAttribute()
    {
        if (TestData.MissingModelReason() is string reason) Skip = reason;
    }
}

/// <summary>A theory that needs the reference model; skipped with the reason when it is absent.</summary>
public sealed class ModelTheoryAttribute : TheoryAttribute
{
    public ModelTheoryAttribute()
    {
        if (TestData.MissingModelReason() is string reason) Skip = reason;
    }
}
