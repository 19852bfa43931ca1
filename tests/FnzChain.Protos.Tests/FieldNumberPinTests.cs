using FnzChain.Protos.Common;
using FnzChain.Protos.Gateway;
using FnzChain.Protos.Ledger.Rwset;
using FnzChain.Protos.Ledger.Rwset.Kvrwset;
using FnzChain.Protos.Msp;
using FnzChain.Protos.Orderer;
using FnzChain.Protos.Peer;
using Google.Protobuf.Reflection;

namespace FnzChain.Protos.Tests;

/// <summary>
/// Pins wire facts by reading the generated descriptors: a cheap guard against accidental renumbering
/// or renaming of fields Fabric clients depend on. The values are Fabric v2.5's.
/// </summary>
public sealed class FieldNumberPinTests
{
    private static IEnumerable<TestCaseData> Fields()
    {
        yield return Field(KVWriteHash.Descriptor, "is_purge", 4, FieldType.Bool);
        yield return Field(KVWrite.Descriptor, "is_delete", 2, FieldType.Bool);
        yield return Field(ChannelHeader.Descriptor, "tls_cert_hash", 8, FieldType.Bytes);
        yield return Field(ChannelHeader.Descriptor, "tx_id", 5, FieldType.String);
        yield return Field(ChannelHeader.Descriptor, "type", 1, FieldType.Int32);
        yield return Field(MetadataSignature.Descriptor, "identifier_header", 3, FieldType.Bytes);
        yield return Field(ProposalResponse.Descriptor, "response", 4, FieldType.Message);
        yield return Field(ProposalResponse.Descriptor, "interest", 7, FieldType.Message);
        yield return Field(ChaincodeAction.Descriptor, "chaincode_id", 4, FieldType.Message);
        yield return Field(ChaincodeHeaderExtension.Descriptor, "chaincode_id", 2, FieldType.Message);
        yield return Field(ChaincodeProposalPayload.Descriptor, "TransientMap", 2, FieldType.Message);
        yield return Field(ChaincodeInput.Descriptor, "is_init", 3, FieldType.Bool);
        yield return Field(NsReadWriteSet.Descriptor, "collection_hashed_rwset", 3, FieldType.Message);
        yield return Field(FilteredBlock.Descriptor, "filtered_transactions", 4, FieldType.Message);
        yield return Field(ProcessedTransaction.Descriptor, "transactionEnvelope", 1, FieldType.Message);
        yield return Field(SeekInfo.Descriptor, "content_type", 5, FieldType.Enum);
        yield return Field(ChaincodeEventsRequest.Descriptor, "after_transaction_id", 5, FieldType.String);
        yield return Field(EndorseRequest.Descriptor, "endorsing_organizations", 4, FieldType.String);
        // Relied on by Fabric's Node Gateway client (tests/FnzChain.InteropTests): error details, commit status, and the
        // proposal response payload by which a gateway tells a chaincode error from the peer's own.
        yield return Field(ErrorDetail.Descriptor, "address", 1, FieldType.String);
        yield return Field(ErrorDetail.Descriptor, "msp_id", 2, FieldType.String);
        yield return Field(ErrorDetail.Descriptor, "message", 3, FieldType.String);
        yield return Field(CommitStatusResponse.Descriptor, "block_number", 2, FieldType.UInt64);
        yield return Field(ProposalResponse.Descriptor, "payload", 5, FieldType.Bytes);
        // Channel configuration (config blocks and config updates), read by every Fabric block decoder.
        yield return Field(ConfigEnvelope.Descriptor, "config", 1, FieldType.Message);
        yield return Field(ConfigEnvelope.Descriptor, "last_update", 2, FieldType.Message);
        yield return Field(Common.Config.Descriptor, "sequence", 1, FieldType.UInt64);
        yield return Field(Common.Config.Descriptor, "channel_group", 2, FieldType.Message);
        yield return Field(ConfigGroup.Descriptor, "version", 1, FieldType.UInt64);
        yield return Field(ConfigGroup.Descriptor, "groups", 2, FieldType.Message);
        yield return Field(ConfigGroup.Descriptor, "values", 3, FieldType.Message);
        yield return Field(ConfigGroup.Descriptor, "policies", 4, FieldType.Message);
        yield return Field(ConfigGroup.Descriptor, "mod_policy", 5, FieldType.String);
        yield return Field(ConfigValue.Descriptor, "value", 2, FieldType.Bytes);
        yield return Field(ConfigValue.Descriptor, "mod_policy", 3, FieldType.String);
        yield return Field(ConfigPolicy.Descriptor, "policy", 2, FieldType.Message);
        yield return Field(ConfigPolicy.Descriptor, "mod_policy", 3, FieldType.String);
        yield return Field(ConfigUpdateEnvelope.Descriptor, "config_update", 1, FieldType.Bytes);
        yield return Field(ConfigUpdateEnvelope.Descriptor, "signatures", 2, FieldType.Message);
        // The Kafka consenter's topic records and block metadata (Fabric 1.x's orderer/kafka.proto, still in fabric-protos).
        yield return Field(KafkaMessage.Descriptor, "regular", 1, FieldType.Message);
        yield return Field(KafkaMessage.Descriptor, "time_to_cut", 2, FieldType.Message);
        yield return Field(KafkaMessage.Descriptor, "connect", 3, FieldType.Message);
        yield return Field(KafkaMessageRegular.Descriptor, "payload", 1, FieldType.Bytes);
        yield return Field(KafkaMessageRegular.Descriptor, "config_seq", 2, FieldType.UInt64);
        yield return Field(KafkaMessageRegular.Descriptor, "class", 3, FieldType.Enum);
        yield return Field(KafkaMessageRegular.Descriptor, "original_offset", 4, FieldType.Int64);
        yield return Field(KafkaMessageTimeToCut.Descriptor, "block_number", 1, FieldType.UInt64);
        yield return Field(KafkaMessageConnect.Descriptor, "payload", 1, FieldType.Bytes);
        yield return Field(KafkaMetadata.Descriptor, "last_offset_persisted", 1, FieldType.Int64);
        yield return Field(KafkaMetadata.Descriptor, "last_original_offset_processed", 2, FieldType.Int64);
        yield return Field(KafkaMetadata.Descriptor, "last_resubmitted_config_offset", 3, FieldType.Int64);
        yield return Field(OrdererBlockMetadata.Descriptor, "consenter_metadata", 2, FieldType.Bytes);
        yield return Field(ConfigUpdate.Descriptor, "channel_id", 1, FieldType.String);
        yield return Field(ConfigUpdate.Descriptor, "read_set", 2, FieldType.Message);
        yield return Field(ConfigUpdate.Descriptor, "write_set", 3, FieldType.Message);
        yield return Field(ConfigUpdate.Descriptor, "isolated_data", 5, FieldType.Message);
        yield return Field(ConfigSignature.Descriptor, "signature_header", 1, FieldType.Bytes);
        yield return Field(BlockDataHashingStructure.Descriptor, "width", 1, FieldType.UInt32);
        yield return Field(Capabilities.Descriptor, "capabilities", 1, FieldType.Message);
        yield return Field(MSPConfig.Descriptor, "config", 2, FieldType.Bytes);
        yield return Field(FabricMSPConfig.Descriptor, "revocation_list", 5, FieldType.Bytes);
        yield return Field(FabricMSPConfig.Descriptor, "organizational_unit_identifiers", 7, FieldType.Message);
        yield return Field(FabricMSPConfig.Descriptor, "tls_root_certs", 9, FieldType.Bytes);
        yield return Field(FabricMSPConfig.Descriptor, "fabric_node_ous", 11, FieldType.Message);
        yield return Field(FabricNodeOUs.Descriptor, "orderer_ou_identifier", 5, FieldType.Message);
        yield return Field(ConsensusType.Descriptor, "state", 3, FieldType.Enum);
        yield return Field(BatchSize.Descriptor, "preferred_max_bytes", 3, FieldType.UInt32);
        yield return Field(ChannelRestrictions.Descriptor, "max_count", 1, FieldType.UInt64);
        yield return Field(AnchorPeer.Descriptor, "port", 2, FieldType.Int32);
        yield return Field(ACLs.Descriptor, "acls", 1, FieldType.Message);
    }

    private static TestCaseData Field(MessageDescriptor message, string name, int number, FieldType type) =>
        new TestCaseData(message, name, number, type).SetArgDisplayNames($"{message.FullName}.{name}={number}");

    [TestCaseSource(nameof(Fields))]
    public void Field_keeps_fabric_number_and_type(MessageDescriptor message, string name, int number, FieldType type)
    {
        var field = message.FindFieldByName(name);

        Assert.That(field, Is.Not.Null, $"{message.FullName} lost field {name}");
        Assert.That(field!.FieldNumber, Is.EqualTo(number));
        Assert.That(field.FieldType, Is.EqualTo(type));
    }

    [TestCase("MVCC_READ_CONFLICT", 11)]
    [TestCase("PHANTOM_READ_CONFLICT", 12)]
    [TestCase("ENDORSEMENT_POLICY_FAILURE", 10)]
    [TestCase("DUPLICATE_TXID", 9)]
    [TestCase("INVALID_CHAINCODE", 25)]
    [TestCase("NOT_VALIDATED", 254)]
    [TestCase("INVALID_OTHER_REASON", 255)]
    public void TxValidationCode_keeps_fabric_value(string name, int number) =>
        Assert.That(TransactionReflection.Descriptor.FindTypeByName<EnumDescriptor>("TxValidationCode").FindValueByName(name)?.Number,
            Is.EqualTo(number));

    [Test]
    public void TxValidationCode_has_all_28_fabric_values() =>
        Assert.That(TransactionReflection.Descriptor.FindTypeByName<EnumDescriptor>("TxValidationCode").Values, Has.Count.EqualTo(28));

    [TestCase("common.Envelope")]
    [TestCase("msp.SerializedIdentity")]
    [TestCase("protos.SignedProposal")]
    [TestCase("rwset.TxReadWriteSet")]
    [TestCase("kvrwset.KVRWSet")]
    [TestCase("orderer.SeekInfo")]
    [TestCase("gateway.ErrorDetail")]
    [TestCase("google.rpc.Status")]
    [TestCase("common.ConfigEnvelope")]
    [TestCase("common.ConfigUpdateEnvelope")]
    [TestCase("common.Capabilities")]
    [TestCase("msp.FabricMSPConfig")]
    [TestCase("orderer.ConsensusType")]
    [TestCase("protos.AnchorPeers")]
    [TestCase("protos.ACLs")]
    public void Message_keeps_fabric_full_name(string fullName)
    {
        FileDescriptor[] files =
        [
            CommonReflection.Descriptor, FnzChain.Protos.Msp.IdentitiesReflection.Descriptor, ProposalReflection.Descriptor,
            RwsetReflection.Descriptor, KvRwsetReflection.Descriptor, AbReflection.Descriptor,
            GatewayReflection.Descriptor, FnzChain.Protos.Rpc.StatusReflection.Descriptor,
            ConfigtxReflection.Descriptor, FnzChain.Protos.Common.ConfigurationReflection.Descriptor, MspConfigReflection.Descriptor,
            FnzChain.Protos.Orderer.ConfigurationReflection.Descriptor, FnzChain.Protos.Peer.ConfigurationReflection.Descriptor,
        ];

        Assert.That(files.SelectMany(f => f.MessageTypes).Select(m => m.FullName), Does.Contain(fullName));
    }

    [Test]
    public void Gateway_service_keeps_fabric_method_names()
    {
        var service = GatewayReflection.Descriptor.FindTypeByName<ServiceDescriptor>("Gateway");

        Assert.That(service.FullName, Is.EqualTo("gateway.Gateway"));
        Assert.That(service.Methods.Select(m => m.Name),
            Is.EqualTo(new[] { "Endorse", "Submit", "CommitStatus", "Evaluate", "ChaincodeEvents" }));
        Assert.That(service.FindMethodByName("ChaincodeEvents").IsServerStreaming, Is.True);
    }
}
