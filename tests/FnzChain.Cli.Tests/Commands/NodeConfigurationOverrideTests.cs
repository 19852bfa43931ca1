using FnzChain.Node;

namespace FnzChain.Cli.Tests.Commands;

/// <summary><c>FNZCHAIN__field__subfield</c> environment variables override a node's configuration file.</summary>
public sealed class NodeConfigurationOverrideTests
{
    private const string File = """
        // comments are allowed
        { "listenAddress": "127.0.0.1:7051", "maxMessageBytes": 1048576, "ordererAddresses": ["127.0.0.1:7050"], "inner": { "name": "a" } }
        """;

    public sealed record Inner(string Name, int Size = 0);

    public sealed record Options(string ListenAddress, int MaxMessageBytes, string[] OrdererAddresses, Inner Inner, bool Verbose = false, string? OperationsAddress = null, string? Label = null);

    private static Options Load(Dictionary<string, string> environment)
    {
        using var folder = new TempFolder();
        var path = folder.File("node.json");
        System.IO.File.WriteAllText(path, File);
        return NodeConfiguration.Load<Options>(path, "peer config", environment);
    }

    [Test]
    public void Without_overrides_the_file_is_read_as_written()
    {
        var options = Load([]);
        Assert.That(options, Is.EqualTo(new Options("127.0.0.1:7051", 1048576, options.OrdererAddresses, new Inner("a"))));
        Assert.That(options.OrdererAddresses, Is.EqualTo(new[] { "127.0.0.1:7050" }));
    }

    [Test]
    public void Overrides_set_fields_at_any_level_case_insensitively()
    {
        var options = Load(new()
        {
            ["FNZCHAIN__LISTENADDRESS"] = "0.0.0.0:9000",
            ["fnzchain__maxMessageBytes"] = "2097152",
            ["FNZCHAIN__OrdererAddresses__0"] = "127.0.0.1:8050",
            ["FNZCHAIN__OrdererAddresses__1"] = "127.0.0.1:9050",
            ["FNZCHAIN__Inner__Size"] = "7",
            ["FNZCHAIN__Verbose"] = "true",
            ["OTHER__Verbose"] = "false",
        });

        Assert.Multiple(() =>
        {
            Assert.That(options.ListenAddress, Is.EqualTo("0.0.0.0:9000"));
            Assert.That(options.MaxMessageBytes, Is.EqualTo(2097152));
            Assert.That(options.OrdererAddresses, Is.EqualTo(new[] { "127.0.0.1:8050", "127.0.0.1:9050" }));
            Assert.That(options.Inner, Is.EqualTo(new Inner("a", 7)));
            Assert.That(options.Verbose, Is.True);
        });
    }

    [Test]
    public void Upper_case_overrides_set_fields_the_file_does_not_have()
    {
        // As .NET users write environment variables; the file has neither field, so the name must come from the options type.
        var options = Load(new() { ["FNZCHAIN__OPERATIONSADDRESS"] = "127.0.0.1:9443", ["FNZCHAIN__INNER__NAME"] = "b" });

        Assert.Multiple(() =>
        {
            Assert.That(options.OperationsAddress, Is.EqualTo("127.0.0.1:9443"));
            Assert.That(options.Inner, Is.EqualTo(new Inner("b")));
        });
    }

    [Test]
    public void A_string_field_the_file_does_not_have_keeps_text_that_looks_like_json()
    {
        Assert.That(Load(new() { ["FNZCHAIN__LABEL"] = "123" }).Label, Is.EqualTo("123"));
    }

    [Test]
    public void A_string_field_keeps_text_that_looks_like_json()
    {
        Assert.That(Load(new() { ["FNZCHAIN__Inner__Name"] = "123" }).Inner.Name, Is.EqualTo("123"));
    }

    [TestCase("FNZCHAIN__NoSuchField", "1", "'noSuchField' could not be mapped")]
    [TestCase("FNZCHAIN__MaxMessageBytes", "lots", "FNZCHAIN__MaxMessageBytes")]
    [TestCase("FNZCHAIN__OrdererAddresses__5", "127.0.0.1:1", "is not an index 0..1 of that array")]
    [TestCase("FNZCHAIN__ListenAddress__Port", "1", "below a field that is not an object")]
    [TestCase("FNZCHAIN____x", "1", "does not name a field")]
    public void A_wrong_override_is_refused_and_named(string variable, string value, string expected)
    {
        var ex = Assert.Throws<OptionsException>(() => Load(new() { [variable] = value }));
        Assert.That(ex!.Message, Does.StartWith("peer config").And.Contain(expected));
    }
}
