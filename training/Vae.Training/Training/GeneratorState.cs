using System.Buffers.Binary;
using TorchSharp;
using static TorchSharp.torch;

namespace Vae.Training.Training;

/// <summary>
/// Checks the bytes of a libtorch generator state before <c>Generator.set_state</c> sees them: libtorch validates a state
/// with <c>TORCH_CHECK</c>, which inside <c>set_state</c> ends the process with <c>c10::Error</c> (exit code 134) instead
/// of raising an exception, so a damaged <c>state.json</c> must be refused here.
/// </summary>
internal static class GeneratorState
{
    // at::CPUGeneratorImplState (ATen/CPUGeneratorImpl.h): the legacy POD { uint64 the_initial_seed; int left; int seeded;
    // uint64 next; uint64 state[624]; double normal_x, normal_y, normal_rho; int normal_is_valid; } then
    // { float next_float_normal_sample; bool is_next_float_normal_sample_valid; }, 5,056 bytes in all.
    private const int MersenneStateN = 624;
    private const int CpuStateSize = 5056, LeftOffset = 8, SeededOffset = 12, NextOffset = 16,
        NormalYOffset = 5024, NormalValidOffset = 5040, FloatNormalOffset = 5048, FloatNormalValidOffset = 5052;

    // at::PhiloxCudaState as CUDAGeneratorImpl::get_state writes it: { uint64 seed; int64 philox_offset }.
    private const int PhiloxStateSize = 16, PhiloxOffsetOffset = 8;

    /// <summary>Throws when <paramref name="bytes"/> is not a state libtorch accepts for a generator on <paramref name="device"/>.</summary>
    /// <exception cref="ArgumentException">Wrong size for the device's generator, or a field out of libtorch's range.</exception>
    public static void Check(ReadOnlySpan<byte> bytes, Device device)
    {
        int expected = StateSize(device);
        if (bytes.Length != expected)
            throw new ArgumentException($"the generator state is {bytes.Length:N0} bytes; a {device.type.ToString().ToLowerInvariant()} generator's is {expected:N0}.", nameof(bytes));
        if (device.type == DeviceType.CPU && bytes.Length == CpuStateSize) CheckCpu(bytes);
        else if (bytes.Length == PhiloxStateSize && BinaryPrimitives.ReadInt64LittleEndian(bytes[PhiloxOffsetOffset..]) is var offset && (offset < 0 || offset % 4 != 0))
            throw new ArgumentException($"the generator's Philox offset is {offset}; expected a multiple of 4, ≥ 0.", nameof(bytes));
    }

    private static void CheckCpu(ReadOnlySpan<byte> bytes)
    {
        int left = BinaryPrimitives.ReadInt32LittleEndian(bytes[LeftOffset..]);
        if (left is < 1 or > MersenneStateN)
            throw new ArgumentException($"the Mersenne Twister's 'left' is {left}; expected 1 to {MersenneStateN}.", nameof(bytes));
        if (BinaryPrimitives.ReadInt32LittleEndian(bytes[SeededOffset..]) == 0)
            throw new ArgumentException("the Mersenne Twister is marked as never seeded.", nameof(bytes));
        ulong next = BinaryPrimitives.ReadUInt64LittleEndian(bytes[NextOffset..]);
        if ((uint)next > MersenneStateN)   // libtorch keeps the low 32 bits
            throw new ArgumentException($"the Mersenne Twister's 'next' is {next}; expected 0 to {MersenneStateN}.", nameof(bytes));
        // a cached normal sample is the next one drawn: a NaN there would come out of randn
        if (BinaryPrimitives.ReadInt32LittleEndian(bytes[NormalValidOffset..]) != 0 && !double.IsFinite(BinaryPrimitives.ReadDoubleLittleEndian(bytes[NormalYOffset..])))
            throw new ArgumentException("the cached normal sample (double) is not finite.", nameof(bytes));
        if (bytes[FloatNormalValidOffset] != 0 && !float.IsFinite(BinaryPrimitives.ReadSingleLittleEndian(bytes[FloatNormalOffset..])))
            throw new ArgumentException("the cached normal sample (float) is not finite.", nameof(bytes));
    }

    private static int StateSize(Device device)
    {
        using var fresh = new Generator(0, device);
        using Tensor state = fresh.get_state();
        return checked((int)state.numel());
    }
}
