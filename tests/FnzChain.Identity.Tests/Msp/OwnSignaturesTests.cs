using FnzChain.Identity.Msp;
using FnzChain.Identity.Policies;

namespace FnzChain.Identity.Tests.Msp;

public sealed class OwnSignaturesTests
{
    private static readonly TestPki Pki = new("Org1MSP", "Org2MSP");
    private static readonly TestIdentity Peer1 = Pki.Issue("Org1MSP", "peer");
    private static readonly TestIdentity Peer2 = Pki.Issue("Org2MSP", "peer");
    private static readonly byte[] Message = "proposal response payload"u8.ToArray();

    [Test]
    public void A_recorded_signature_is_recognised_only_for_its_identity_and_exact_message()
    {
        var own = new OwnSignatures(Peer1.Serialized);
        var signature = Peer1.Signer.Sign(Message);
        own.Record(Message, signature);

        Assert.Multiple(() =>
        {
            Assert.That(own.Contains(Peer1.Serialized, Message, signature), Is.True);
            Assert.That(own.Contains(Peer2.Serialized, Message, signature), Is.False, "another identity claiming the signature");
            Assert.That(own.Contains(Peer1.Serialized, [.. Message, 0], signature), Is.False, "different bytes");
            Assert.That(own.Contains(Peer1.Serialized, Message, Peer1.Signer.Sign(Message)), Is.False, "a signature never recorded");
        });
    }

    [Test]
    public void Validation_skips_verification_of_recorded_signatures_and_verifies_everything_else()
    {
        var registry = Pki.Registry(null, "Org1MSP", "Org2MSP");
        var own = new OwnSignatures(Peer1.Serialized);
        // Recorded bytes that are not a valid signature at all: counting them proves the verification was skipped.
        byte[] bogus = [0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01];
        own.Record(Message, bogus);

        var recognised = SignatureSet.Validate([new SignedData(Peer1.Serialized, Message, bogus)], registry, own);
        var otherMessage = SignatureSet.Validate([new SignedData(Peer1.Serialized, "other"u8.ToArray(), bogus)], registry, own);
        var withoutMemory = SignatureSet.Validate([new SignedData(Peer1.Serialized, Message, bogus)], registry);
        var otherIdentity = SignatureSet.Validate([new SignedData(Peer2.Serialized, Message, bogus)], registry, own);

        Assert.Multiple(() =>
        {
            Assert.That(recognised.Identities, Has.Count.EqualTo(1));
            Assert.That(otherMessage.Identities, Is.Empty);
            Assert.That(withoutMemory.Identities, Is.Empty);
            Assert.That(otherIdentity.Identities, Is.Empty);
        });
    }

    [Test]
    public void The_oldest_signatures_are_forgotten_beyond_capacity()
    {
        var own = new OwnSignatures(Peer1.Serialized, capacity: 2);
        var signatures = Enumerable.Range(0, 3).Select(i => (Message: new[] { (byte)i }, Signature: Peer1.Signer.Sign([(byte)i]))).ToList();
        foreach (var (message, signature) in signatures)
        {
            own.Record(message, signature);
        }

        Assert.Multiple(() =>
        {
            Assert.That(own.Count, Is.EqualTo(2));
            Assert.That(own.Contains(Peer1.Serialized, signatures[0].Message, signatures[0].Signature), Is.False);
            Assert.That(own.Contains(Peer1.Serialized, signatures[2].Message, signatures[2].Signature), Is.True);
        });
    }

    [Test]
    public void Verified_sets_count_each_identity_once()
    {
        var registry = Pki.Registry(null, "Org1MSP");
        var identity = registry.Deserialize(Peer1.Serialized).Identity!;
        Assert.That(SignatureSet.Verified(identity, identity).Identities, Has.Count.EqualTo(1));
    }
}
