using FnzChain.Protos.Common;
using FnzChain.Protos.Ledger.Rwset;
using FnzChain.Protos.Ledger.Rwset.Kvrwset;
using FnzChain.Protos.Msp;
using FnzChain.Protos.Peer;
using Google.Protobuf;
using static FnzChain.Protos.Tests.FabricTestData;

namespace FnzChain.Protos.Tests;

/// <summary>
/// The transaction flow (proposal, response, transaction, envelope, block) as written by Fabric's own
/// classes: decoded with ours, every layer carried as bytes decoded again, and every layer re-encoded
/// byte for byte. Protobuf writers in both languages emit fields in number order; the only map fields
/// here (transient map, decorations) are written key-sorted by Fabric's JS and re-written by C# in the
/// order parsed, so exact byte equality holds for them too.
/// </summary>
public sealed class FabricTransactionWireTests
{
    [Test]
    public void Envelope_from_fabric_protos_decodes_and_reencodes_identically()
    {
        var envelope = DecodeAndAssertReencodes(Envelope.Parser, Read("envelope"));

        Assert.That(envelope.Signature, Is.EqualTo(PseudoBytes("envelope-signature", 71)));
        var payload = DecodeAndAssertReencodes(Payload.Parser, envelope.Payload);
        AssertEndorserTransactionHeader(payload.Header);
        var transaction = DecodeAndAssertReencodes(Transaction.Parser, payload.Data);
        Assert.That(transaction.Actions, Has.Count.EqualTo(1));
    }

    [Test]
    public void SignedProposal_from_fabric_protos_decodes_and_reencodes_identically()
    {
        var signed = DecodeAndAssertReencodes(SignedProposal.Parser, Read("signed_proposal"));

        Assert.That(signed.Signature, Is.EqualTo(PseudoBytes("client-signature", 70)));
        var proposal = DecodeAndAssertReencodes(Proposal.Parser, signed.ProposalBytes);
        Assert.That(proposal.Extension, Is.Empty);
        AssertEndorserTransactionHeader(DecodeAndAssertReencodes(Header.Parser, proposal.Header));

        var payload = DecodeAndAssertReencodes(ChaincodeProposalPayload.Parser, proposal.Payload);
        Assert.That(payload.TransientMap, Has.Count.EqualTo(2));
        Assert.That(payload.TransientMap["secret"], Is.EqualTo(Utf8("s3cr3t")));
        Assert.That(payload.TransientMap["price"], Is.EqualTo(Utf8("100")));
        AssertInvocationSpec(payload.Input);
    }

    [Test]
    public void ProposalResponse_from_fabric_protos_decodes_and_reencodes_identically()
    {
        var response = DecodeAndAssertReencodes(ProposalResponse.Parser, Read("proposal_response"));

        Assert.That(response.Version, Is.EqualTo(1));
        Assert.That(response.Timestamp.Seconds, Is.EqualTo(TimestampSeconds));
        Assert.That(response.Response.Status, Is.EqualTo(200));
        Assert.That(response.Response.Message, Is.EqualTo("OK"));
        Assert.That(response.Response.Payload, Is.EqualTo(Utf8("{\"ID\":\"asset1\"}")));
        AssertEndorsement(response.Endorsement, "Org1MSP", "peer0.org1");

        var call = response.Interest.Chaincodes.Single();
        Assert.That(call.Name, Is.EqualTo(ChaincodeName));
        Assert.That(call.CollectionNames, Is.EqualTo(new[] { "assetPrivate" }));
        Assert.That(call.NoPrivateReads, Is.True);
        Assert.That(call.NoPublicWrites, Is.False);
        Assert.That(call.DisregardNamespacePolicy, Is.True);
        Assert.That(call.KeyPolicies.Single().Identities, Has.Count.EqualTo(2));

        // The endorser binds its result to the proposal by hash: check against the proposal file.
        var proposalBytes = SignedProposal.Parser.ParseFrom(Read("signed_proposal")).ProposalBytes;
        var responsePayload = DecodeAndAssertReencodes(ProposalResponsePayload.Parser, response.Payload);
        Assert.That(responsePayload.ProposalHash, Is.EqualTo(Sha256(proposalBytes)));
        AssertChaincodeAction(DecodeAndAssertReencodes(ChaincodeAction.Parser, responsePayload.Extension));
    }

    [Test]
    public void Transaction_from_fabric_protos_decodes_and_reencodes_identically()
    {
        var transaction = DecodeAndAssertReencodes(Transaction.Parser, Read("transaction"));

        var action = transaction.Actions.Single();
        AssertSignatureHeader(DecodeAndAssertReencodes(SignatureHeader.Parser, action.Header));
        var actionPayload = DecodeAndAssertReencodes(ChaincodeActionPayload.Parser, action.Payload);

        var proposalPayload = DecodeAndAssertReencodes(ChaincodeProposalPayload.Parser, actionPayload.ChaincodeProposalPayload);
        Assert.That(proposalPayload.TransientMap, Is.Empty, "the transient map never reaches the ledger");
        AssertInvocationSpec(proposalPayload.Input);

        var endorsed = actionPayload.Action;
        Assert.That(endorsed.Endorsements, Has.Count.EqualTo(2));
        AssertEndorsement(endorsed.Endorsements[0], "Org1MSP", "peer0.org1");
        AssertEndorsement(endorsed.Endorsements[1], "Org2MSP", "peer0.org2");
        var responsePayload = DecodeAndAssertReencodes(ProposalResponsePayload.Parser, endorsed.ProposalResponsePayload);
        AssertChaincodeAction(ChaincodeAction.Parser.ParseFrom(responsePayload.Extension));
    }

    [Test]
    public void Block_from_fabric_protos_decodes_and_reencodes_identically()
    {
        var block = DecodeAndAssertReencodes(Block.Parser, Read("block"));

        Assert.That(block.Header.Number, Is.EqualTo(7UL));
        Assert.That(block.Header.PreviousHash, Is.EqualTo(PseudoBytes("block-6", 32)));
        Assert.That(block.Data.Data, Has.Count.EqualTo(2));
        Assert.That(block.Data.Data[0], Is.EqualTo(ByteString.CopyFrom(Read("envelope"))));
        Assert.That(block.Header.DataHash, Is.EqualTo(Sha256([.. block.Data.Data])));

        var metadata = block.Metadata.Metadata;
        Assert.That(metadata, Has.Count.EqualTo(5));
        var signatures = DecodeAndAssertReencodes(Metadata.Parser, metadata[(int)BlockMetadataIndex.Signatures]);
        var ordererMetadata = DecodeAndAssertReencodes(OrdererBlockMetadata.Parser, signatures.Value);
        Assert.That(ordererMetadata.LastConfig.Index, Is.EqualTo(3UL));
        Assert.That(ordererMetadata.ConsenterMetadata, Is.EqualTo(Utf8("kafka-offset:42")));
        Assert.That(signatures.Signatures, Has.Count.EqualTo(2));
        AssertSignatureHeader(SignatureHeader.Parser.ParseFrom(signatures.Signatures[0].SignatureHeader));
        Assert.That(signatures.Signatures[0].Signature, Is.EqualTo(PseudoBytes("orderer-sig-1", 70)));
        Assert.That(signatures.Signatures[1].SignatureHeader, Is.Empty);
        var identifier = DecodeAndAssertReencodes(IdentifierHeader.Parser, signatures.Signatures[1].IdentifierHeader);
        Assert.That(identifier.Identifier, Is.EqualTo(2U));
        Assert.That(identifier.Nonce, Is.EqualTo(PseudoBytes("identifier-nonce", 24)));

        Assert.That(metadata[(int)BlockMetadataIndex.TransactionsFilter].ToByteArray(),
            Is.EqualTo(new[] { (byte)TxValidationCode.Valid, (byte)TxValidationCode.MvccReadConflict }));
        Assert.That(metadata[(int)BlockMetadataIndex.CommitHash], Is.EqualTo(PseudoBytes("commit-hash", 32)));
        Assert.That(metadata[1], Is.Empty);
        Assert.That(metadata[3], Is.Empty);
    }

    internal static void AssertEndorserTransactionHeader(Header header)
    {
        var channelHeader = DecodeAndAssertReencodes(ChannelHeader.Parser, header.ChannelHeader);
        var signatureHeader = DecodeAndAssertReencodes(SignatureHeader.Parser, header.SignatureHeader);
        AssertSignatureHeader(signatureHeader);

        Assert.That(channelHeader.Type, Is.EqualTo((int)HeaderType.EndorserTransaction));
        Assert.That(channelHeader.Version, Is.EqualTo(1));
        Assert.That(channelHeader.Timestamp.Seconds, Is.EqualTo(TimestampSeconds));
        Assert.That(channelHeader.Timestamp.Nanos, Is.EqualTo(TimestampNanos));
        Assert.That(channelHeader.ChannelId, Is.EqualTo(ChannelId));
        Assert.That(channelHeader.Epoch, Is.Zero);
        Assert.That(channelHeader.TlsCertHash, Is.EqualTo(PseudoBytes("tls-cert", 32)));
        // DESIGN.md: tx id = hex(SHA-256(nonce || creator)).
        var expectedTxId = Convert.ToHexStringLower(Sha256(signatureHeader.Nonce, signatureHeader.Creator).Span);
        Assert.That(channelHeader.TxId, Is.EqualTo(expectedTxId));

        var extension = DecodeAndAssertReencodes(ChaincodeHeaderExtension.Parser, channelHeader.Extension);
        Assert.That(extension.ChaincodeId.Name, Is.EqualTo(ChaincodeName));
    }

    internal static string ExpectedTxId()
    {
        var signatureHeader = SignatureHeader.Parser.ParseFrom(Transaction.Parser.ParseFrom(Read("transaction")).Actions[0].Header);
        return Convert.ToHexStringLower(Sha256(signatureHeader.Nonce, signatureHeader.Creator).Span);
    }

    private static void AssertSignatureHeader(SignatureHeader header)
    {
        Assert.That(header.Nonce, Is.EqualTo(PseudoBytes("nonce", 24)));
        var creator = DecodeAndAssertReencodes(SerializedIdentity.Parser, header.Creator);
        Assert.That(creator.Mspid, Is.EqualTo("Org1MSP"));
        Assert.That(creator.IdBytes, Is.EqualTo(Certificate("client")));
    }

    private static void AssertEndorsement(Endorsement endorsement, string mspId, string label)
    {
        var endorser = DecodeAndAssertReencodes(SerializedIdentity.Parser, endorsement.Endorser);
        Assert.That(endorser.Mspid, Is.EqualTo(mspId));
        Assert.That(endorser.IdBytes, Is.EqualTo(Certificate(label)));
        Assert.That(endorsement.Signature, Is.EqualTo(PseudoBytes($"sig-{label}", 71)));
    }

    private static void AssertInvocationSpec(ByteString bytes)
    {
        var spec = DecodeAndAssertReencodes(ChaincodeInvocationSpec.Parser, bytes).ChaincodeSpec;
        Assert.That(spec.Type, Is.EqualTo(ChaincodeSpec.Types.Type.Node));
        Assert.That(spec.ChaincodeId.Name, Is.EqualTo(ChaincodeName));
        Assert.That(spec.Timeout, Is.EqualTo(30));
        Assert.That(spec.Input.Args.Select(a => a.ToStringUtf8()), Is.EqualTo(new[] { "CreateAsset", "asset1", "blue", "5" }));
        Assert.That(spec.Input.IsInit, Is.True);
        Assert.That(spec.Input.Decorations.Keys, Is.EqualTo(new[] { "alpha", "zeta" }), "Fabric JS writes map keys sorted");
        Assert.That(spec.Input.Decorations["alpha"], Is.EqualTo(Utf8("first")));
    }

    private static void AssertChaincodeAction(ChaincodeAction action)
    {
        Assert.That(action.ChaincodeId.Name, Is.EqualTo(ChaincodeName));
        Assert.That(action.ChaincodeId.Version, Is.EqualTo("1.0"));
        Assert.That(action.Response.Status, Is.EqualTo(200));

        var chaincodeEvent = DecodeAndAssertReencodes(ChaincodeEvent.Parser, action.Events);
        Assert.That(chaincodeEvent.ChaincodeId, Is.EqualTo(ChaincodeName));
        Assert.That(chaincodeEvent.TxId, Is.EqualTo(ExpectedTxId()));
        Assert.That(chaincodeEvent.EventName, Is.EqualTo("AssetCreated"));
        Assert.That(chaincodeEvent.Payload, Is.EqualTo(Utf8("{\"ID\":\"asset1\"}")));

        var txRwSet = DecodeAndAssertReencodes(TxReadWriteSet.Parser, action.Results);
        Assert.That(txRwSet.DataModel, Is.EqualTo(TxReadWriteSet.Types.DataModel.Kv));
        var ns = txRwSet.NsRwset.Single();
        Assert.That(ns.Namespace, Is.EqualTo(ChaincodeName));
        AssertPublicRwSet(DecodeAndAssertReencodes(KVRWSet.Parser, ns.Rwset));

        var collection = ns.CollectionHashedRwset.Single();
        Assert.That(collection.CollectionName, Is.EqualTo("assetPrivate"));
        Assert.That(collection.PvtRwsetHash, Is.EqualTo(PseudoBytes("pvt-rwset", 32)));
        AssertHashedRwSet(DecodeAndAssertReencodes(HashedRWSet.Parser, collection.HashedRwset));
    }

    private static void AssertPublicRwSet(KVRWSet set)
    {
        Assert.That(set.Reads, Has.Count.EqualTo(2));
        Assert.That(set.Reads[0].Key, Is.EqualTo("asset1"));
        Assert.That(set.Reads[0].Version.BlockNum, Is.EqualTo(5UL));
        Assert.That(set.Reads[0].Version.TxNum, Is.EqualTo(2UL));
        Assert.That(set.Reads[1].Key, Is.EqualTo("asset-missing"));
        Assert.That(set.Reads[1].Version, Is.Null, "a read of an absent key carries no version");

        Assert.That(set.RangeQueriesInfo, Has.Count.EqualTo(2));
        var raw = set.RangeQueriesInfo[0];
        Assert.That((raw.StartKey, raw.EndKey, raw.ItrExhausted), Is.EqualTo(("asset0", "asset9", true)));
        Assert.That(raw.ReadsInfoCase, Is.EqualTo(RangeQueryInfo.ReadsInfoOneofCase.RawReads));
        Assert.That(raw.RawReads.KvReads.Select(r => r.Key), Is.EqualTo(new[] { "asset2", "asset3" }));
        Assert.That(raw.RawReads.KvReads[1].Version.TxNum, Is.EqualTo(1UL));
        var summarized = set.RangeQueriesInfo[1];
        Assert.That(summarized.ReadsInfoCase, Is.EqualTo(RangeQueryInfo.ReadsInfoOneofCase.ReadsMerkleHashes));
        Assert.That(summarized.ReadsMerkleHashes.MaxDegree, Is.EqualTo(50U));
        Assert.That(summarized.ReadsMerkleHashes.MaxLevel, Is.EqualTo(2U));
        Assert.That(summarized.ReadsMerkleHashes.MaxLevelHashes[1], Is.EqualTo(PseudoBytes("merkle-2", 32)));

        Assert.That(set.Writes, Has.Count.EqualTo(2));
        Assert.That(set.Writes[0].Key, Is.EqualTo("asset1"));
        Assert.That(set.Writes[0].Value, Is.EqualTo(Utf8("{\"ID\":\"asset1\",\"Color\":\"blue\",\"Size\":5}")));
        Assert.That(set.Writes[0].IsDelete, Is.False);
        Assert.That(set.Writes[1].Key, Is.EqualTo("asset7"));
        Assert.That(set.Writes[1].IsDelete, Is.True);

        var metadataWrite = set.MetadataWrites.Single();
        Assert.That(metadataWrite.Key, Is.EqualTo("asset1"));
        Assert.That(metadataWrite.Entries.Single().Name, Is.EqualTo("VALIDATION_PARAMETER"));
        Assert.That(metadataWrite.Entries.Single().Value, Is.EqualTo(PseudoBytes("sbe-policy", 16)));
    }

    private static void AssertHashedRwSet(HashedRWSet set)
    {
        var secretKeyHash = Sha256(Utf8("secret-key"));
        Assert.That(set.HashedReads.Single().KeyHash, Is.EqualTo(secretKeyHash));
        Assert.That(set.HashedReads.Single().Version.BlockNum, Is.EqualTo(3UL));

        Assert.That(set.HashedWrites, Has.Count.EqualTo(2));
        Assert.That(set.HashedWrites[0].KeyHash, Is.EqualTo(secretKeyHash));
        Assert.That(set.HashedWrites[0].ValueHash, Is.EqualTo(Sha256(Utf8("secret-value"))));
        Assert.That(set.HashedWrites[0].IsPurge, Is.False);
        var purge = set.HashedWrites[1];
        Assert.That(purge.KeyHash, Is.EqualTo(Sha256(Utf8("erase-me"))));
        Assert.That(purge.IsDelete, Is.True);
        Assert.That(purge.IsPurge, Is.True);

        Assert.That(set.MetadataWrites.Single().KeyHash, Is.EqualTo(secretKeyHash));
        Assert.That(set.MetadataWrites.Single().Entries.Single().Name, Is.EqualTo("VALIDATION_PARAMETER"));
    }
}
