namespace Vae.Inference.Tests;

/// <summary>
/// <see cref="InputNormalization"/>: x = (raw − offset) / divisor per value, written out here as the reference; its JSON
/// round-trips every float bit for bit; the metadata reader refuses normalisations that do not fit the model.
/// </summary>
public class InputNormalizationTests
{
    private static readonly InputNormalization PerValue = new(NormalizationKind.Standard, [1.5f, -2f, 0.1f], [2f, 0.25f, 3f]);

    [Fact]
    public void Apply_is_raw_minus_offset_over_divisor_per_value_of_each_sample()
    {
        float[] raw = [4f, 1f, 7f, -1f, 0f, 0.4f];   // two samples of three values
        float[] x = PerValue.Apply(raw, sampleSize: 3);
        float[] expected = [(4f - 1.5f) / 2f, (1f + 2f) / 0.25f, (7f - 0.1f) / 3f, (-1f - 1.5f) / 2f, (0f + 2f) / 0.25f, (0.4f - 0.1f) / 3f];
        Assert.Equal(expected, x);

        float[] inPlace = (float[])raw.Clone();
        PerValue.Apply(inPlace, inPlace, 3);
        Assert.Equal(expected, inPlace);
    }

    [Fact]
    public void A_scale_divides_every_value_bit_for_bit_as_a_plain_division()
    {
        float[] bytes = Enumerable.Range(0, 256).Select(b => (float)b).ToArray();
        float[] x = InputNormalization.Scale(255f).Apply(bytes, sampleSize: 16);
        Assert.Equal(bytes.Select(b => b / 255f).ToArray(), x);   // not × (1/255f), which differs by an ulp for 126 bytes
        Assert.Equal("x / 255", InputNormalization.Scale(255f).Describe());
    }

    [Fact]
    public void Invert_brings_model_values_back_to_raw_units()
    {
        float[] raw = [4f, 1f, 7f, -1f, 0f, 0.4f];
        float[] back = new float[raw.Length];
        PerValue.Invert(PerValue.Apply(raw, 3), back, 3);
        for (int i = 0; i < raw.Length; i++) Assert.Equal(raw[i], back[i], 1e-6f);
        float[] x = [0.5f, 1f];
        InputNormalization.Scale(255f).Invert(x, x, 1);
        Assert.Equal([127.5f, 255f], x);
    }

    [Fact]
    public void Json_round_trips_every_float_exactly()
    {
        var odd = new InputNormalization(NormalizationKind.MinMax, [0.1f, -3.4e38f, 1e-45f, 123456.79f], [1e-38f, 3.4e38f, 0.3f, 7f]);
        InputNormalization back = InputNormalization.FromJson(odd.ToJson(), "test");
        Assert.Equal(odd, back);
        Assert.Equal(NormalizationKind.MinMax, back.Kind);
        Assert.Equal(odd.Offset.Select(BitConverter.SingleToInt32Bits), back.Offset.Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(odd.Divisor.Select(BitConverter.SingleToInt32Bits), back.Divisor.Select(BitConverter.SingleToInt32Bits));
    }

    [Theory]
    [InlineData("{\"kind\":\"standard\",\"offset\":[0],\"divisor\":[0]}", "divisor[0] is 0; expected a finite number above 0")]
    [InlineData("{\"kind\":\"scale\",\"offset\":[0,1],\"divisor\":[1]}", "offset has 2 values and divisor 1")]
    [InlineData("{\"kind\":\"zscore\",\"offset\":[0],\"divisor\":[1]}", "kind 'zscore' is unknown; expected scale, standard or minmax")]
    [InlineData("{\"kind\":\"scale\",\"divisor\":[1]}", "'offset' is not an array of numbers")]
    [InlineData("[1,2]", "not a JSON object")]
    [InlineData("{\"kind\":\"scale\",\"offset\":[\"a\"],\"divisor\":[1]}", "is not valid")]
    public void Damaged_json_is_a_model_error_naming_the_source_and_the_problem(string json, string problem)
    {
        var e = Assert.Throws<VaeModelException>(() => InputNormalization.FromJson(json, "decoder.onnx"));
        Assert.StartsWith("decoder.onnx: input normalisation '", e.Message);
        Assert.Contains(problem, e.Message);
    }

    [Fact]
    public void Bad_arguments_name_what_was_expected_and_what_was_given()
    {
        var e = Assert.Throws<ArgumentException>(() => PerValue.Apply(new float[4], new float[4], 4));
        Assert.Equal("the normalisation has 3 values per sample; the samples have 4. (Parameter 'sampleSize')", e.Message);
        e = Assert.Throws<ArgumentException>(() => PerValue.Apply(new float[6], new float[5], 3));
        Assert.Equal("length of x is 5, expected 6 (the length of raw). (Parameter 'x')", e.Message);
        e = Assert.Throws<ArgumentException>(() => PerValue.Apply(new float[5], new float[5], 3));
        Assert.Equal("length of raw is 5, not a multiple of the sample size 3. (Parameter 'raw')", e.Message);
        e = Assert.Throws<ArgumentException>(() => new InputNormalization(NormalizationKind.Standard, [float.NaN], [1f]));
        Assert.StartsWith("offset[0] is NaN; expected a finite number.", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => PerValue.Apply(new float[3], new float[3], 0));
    }

    [Fact]
    public void Model_metadata_gives_the_normalisation_and_refuses_one_of_another_size()
    {
        var metadata = new Dictionary<string, string>
        {
            ["vae.format_version"] = "1", ["vae.model_kind"] = "mlp", ["vae.input_shape"] = "3", ["vae.image_shape"] = "1,1,3",
            ["vae.latent_size"] = "2", ["vae.likelihood"] = "gaussian", ["vae.output_kind"] = "mean",
        };
        Assert.Null(VaeModelInfo.FromMetadata(metadata, "encoder.onnx").Normalization);   // pairs exported before it existed

        metadata[VaeMetadata.InputNormalization] = PerValue.ToJson();
        VaeModelInfo info = VaeModelInfo.FromMetadata(metadata, "encoder.onnx");
        Assert.Equal(PerValue, info.Normalization);

        metadata["vae.input_shape"] = "4";
        metadata["vae.image_shape"] = "1,1,4";
        var e = Assert.Throws<VaeModelException>(() => VaeModelInfo.FromMetadata(metadata, "encoder.onnx"));
        Assert.Equal("encoder.onnx: metadata 'vae.input_normalization' has 3 values per sample; the input has 4 (expected 1 or 4).", e.Message);

        var other = info with { Normalization = InputNormalization.Scale(255f) };
        Assert.Contains("input normalisation (x − mean) / std per value (3 values, from the training data) vs x / 255", info.MismatchWith(other));
    }
}
