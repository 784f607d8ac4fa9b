namespace Vae.Server.Tests;

/// <summary>Deterministic inputs for the reference model: 784 values in [0, 1) per row, different for every row index.</summary>
internal static class TestRows
{
    public const int Size = 784;

    public static float[] Make(int rows, int first = 0)
    {
        var values = new float[rows * Size];
        for (int r = 0; r < rows; r++)
        {
            var random = new Random(1000 + first + r);
            for (int i = 0; i < Size; i++) values[r * Size + i] = random.NextSingle();
        }
        return values;
    }

    public static float[][] Split(float[] values) => values.Chunk(Size).ToArray();
}
