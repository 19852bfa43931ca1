using FnzChain.Crypto.Cryptogen;

namespace FnzChain.Crypto.Tests.Cryptogen;

public sealed class OrganizationRevocationTests
{
    [TestCase("00C52E03", "C52E03")]   // DER sign byte dropped
    [TestCase("05474523", "05474523")] // a leading zero nibble stays: openssl prints whole bytes
    [TestCase("0000AB", "AB")]
    [TestCase("00", "00")]
    [TestCase("7fab", "7FAB")]
    public void Serial_is_printed_as_openssl_prints_it(string derSerialHex, string expected)
    {
        Assert.That(OrganizationRevocation.OpensslSerial(derSerialHex), Is.EqualTo(expected));
    }
}
