using TorchSharp;
using static TorchSharp.torch;

namespace Vae.Training.Missing;

/// <summary>
/// What the encoder of a training batch may read under a <see cref="MissingMask"/>: not the data's own gaps, and for
/// <see cref="MaskKind.BottomHalf"/> and <see cref="MaskKind.Random"/> not the values hidden on purpose either — a random mask
/// drawn afresh for every batch from the trainer's seeded generator. The trainer still scores hidden values (their truth is
/// known), so the model learns to fill any gap of that kind.
/// </summary>
public static class BatchMask
{
    /// <summary>True where the encoder may read a value of <paramref name="x"/> [B, ...]; <paramref name="dataObserved"/> are the batch's flags
    /// from the data (null when nothing is missing there). The result belongs to the caller's dispose scope.</summary>
    public static Tensor Observed(MissingMask mask, Tensor x, Tensor? dataObserved, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(mask);
        ArgumentNullException.ThrowIfNull(x);
        Tensor observed = dataObserved?.alias() ?? ones_like(x, dtype: ScalarType.Bool);
        switch (mask.Kind)
        {
            case MaskKind.BottomHalf:
                bool[] hidden = MissingMask.BottomHalfOf(x.shape.Skip(1).Select(d => (int)d).ToArray());
                Tensor keep = tensor(hidden, device: x.device).logical_not().reshape(x.shape.Skip(1).ToArray());
                return observed.logical_and(keep.unsqueeze(0));
            case MaskKind.Random:
                return observed.logical_and(rand(x.shape, device: x.device, generator: generator).ge(mask.Probability));
            default:
                return observed;
        }
    }
}
