using FnzChain.Ledger.State;
using FnzChain.Crypto.Keys;
using FnzChain.Identity.Channels;
using FnzChain.Identity.Msp;
using FnzChain.Identity.Policies;
using FnzChain.Ledger.Blocks;
using FnzChain.Orderer.Channels;
using FnzChain.Orderer.Signing;
using FnzChain.Peer.Committer;
using FnzChain.Protos.Common;
using FnzChain.Protos.Lifecycle;
using FnzChain.Protos.Ledger.Rwset;
using FnzChain.Protos.Ledger.Rwset.Kvrwset;
using FnzChain.Protos.Peer;
using Google.Protobuf;
using FnzChain.Tests.Shared;

namespace FnzChain.Peer.Tests.Committer;

/// <summary>Every verdict of the peer's transaction checks, and block signature checks, with real cryptogen identities.</summary>
public sealed class TransactionValidatorTests
{
    private TwoOrgCrypto _crypto = null!;
    private ChannelBundle _bundle = null!;

    [OneTimeSetUp]
    public void SetUp()
    {
        _crypto = new TwoOrgCrypto("fnzchain-validator-");
        var config = new ChannelProfile
        {
            ChannelId = "funds",
            Organizations = _crypto.Organizations(),
            Orderer = new OrdererProfile { Endpoints = [new OrdererEndpointProfile { Organization = "OrdererOrg", Address = "127.0.0.1:7050" }] },
        }.ToConfig();
        var definitions = new List<ChaincodeDefinition>();
        definitions.Add(new ChaincodeDefinition
        {
            Name = "funds",
            Sequence = 1,
            EndorsementPolicy = new Protos.Peer.ApplicationPolicy { SignaturePolicy = PolicyDsl.Parse("AND('Org1MSP.peer','Org2MSP.peer')") },
        });
        definitions.Add(new ChaincodeDefinition
        {
            Name = "registry",
            Sequence = 1,
            EndorsementPolicy = new Protos.Peer.ApplicationPolicy { ChannelConfigPolicyReference = "/Channel/Application/Endorsement" },
        });
        // A collection whose writes need only Org1's endorsement, under a chaincode that needs both orgs.
        var collections = new CollectionConfigPackage();
        collections.Config.Add(new CollectionConfig
        {
            StaticCollectionConfig = new StaticCollectionConfig
            {
                Name = "org1-notes",
                MemberOrgsPolicy = new CollectionPolicyConfig { SignaturePolicy = PolicyDsl.Parse("OR('Org1MSP.member')") },
                EndorsementPolicy = new Protos.Peer.ApplicationPolicy { SignaturePolicy = PolicyDsl.Parse("OR('Org1MSP.peer')") },
            },
        });
        collections.Config.Add(new CollectionConfig
        {
            StaticCollectionConfig = new StaticCollectionConfig { Name = "shared", MemberOrgsPolicy = new CollectionPolicyConfig { SignaturePolicy = PolicyDsl.Parse("OR('Org1MSP.member','Org2MSP.member')") } },
        });
        definitions.Add(new ChaincodeDefinition
        {
            Name = "notes",
            Sequence = 1,
            EndorsementPolicy = new Protos.Peer.ApplicationPolicy { SignaturePolicy = PolicyDsl.Parse("AND('Org1MSP.peer','Org2MSP.peer')") },
            Collections = collections,
        });
        _bundle = ChannelBundle.Create("funds", config).WithChaincodes(definitions);
    }

    [OneTimeTearDown]
    public void TearDown() => _crypto.Dispose();

    private (byte[] Serialized, SigningIdentityFiles Files) Identity(string domain, string who, string mspId)
    {
        var files = SigningIdentityFiles.Load(_crypto.Msp(domain, who));
        return (MspRegistry.Serialize(mspId, files.Certificate), files);
    }

    private (byte[], SigningIdentityFiles) Client => Identity("org1.example.com", "users/User1@org1.example.com", "Org1MSP");

    private (byte[], SigningIdentityFiles) Peer1 => Identity("org1.example.com", "peers/peer0.org1.example.com", "Org1MSP");

    private (byte[], SigningIdentityFiles) Peer2 => Identity("org2.example.com", "peers/peer0.org2.example.com", "Org2MSP");

    private static ByteString Transaction((byte[] Serialized, SigningIdentityFiles Files) creator, string chaincode, string ns, params (byte[] Serialized, SigningIdentityFiles Files)[] endorsers) =>
        Transaction(creator, chaincode, ns, publicWrite: true, collection: null, endorsers);

    /// <summary>A transaction of <paramref name="chaincode"/> writing a public key and/or a private key of <paramref name="collection"/> (hashes only).</summary>
    private static ByteString Transaction(
        (byte[] Serialized, SigningIdentityFiles Files) creator, string chaincode, string ns, bool publicWrite, string? collection, params (byte[] Serialized, SigningIdentityFiles Files)[] endorsers) =>
        Transaction(creator, chaincode, ns, publicWrite ? ByteString.CopyFromUtf8("v") : null, collection, endorsers);

    private static ByteString Transaction(
        (byte[] Serialized, SigningIdentityFiles Files) creator, string chaincode, string ns, ByteString? publicValue, string? collection, params (byte[] Serialized, SigningIdentityFiles Files)[] endorsers)
    {
        var kv = new KVRWSet();
        if (publicValue is not null)
        {
            kv.Writes.Add(new KVWrite { Key = "k", Value = publicValue });
        }

        var rwset = new TxReadWriteSet();
        var nsRwset = new NsReadWriteSet { Namespace = ns, Rwset = kv.ToByteString() };
        if (collection is not null)
        {
            var hashed = new HashedRWSet();
            hashed.HashedWrites.Add(new KVWriteHash
            {
                KeyHash = ByteString.CopyFrom(System.Security.Cryptography.SHA256.HashData("note:1"u8)),
                ValueHash = ByteString.CopyFrom(System.Security.Cryptography.SHA256.HashData("secret"u8)),
            });
            nsRwset.CollectionHashedRwset.Add(new CollectionHashedReadWriteSet { CollectionName = collection, HashedRwset = hashed.ToByteString() });
        }

        rwset.NsRwset.Add(nsRwset);
        var prp = new ProposalResponsePayload
        {
            Extension = new ChaincodeAction { Results = rwset.ToByteString(), ChaincodeId = new ChaincodeID { Name = chaincode } }.ToByteString(),
        }.ToByteString();
        var endorsed = new ChaincodeEndorsedAction { ProposalResponsePayload = prp };
        foreach (var (serialized, files) in endorsers)
        {
            endorsed.Endorsements.Add(new Endorsement { Endorser = ByteString.CopyFrom(serialized), Signature = ByteString.CopyFrom(files.Signer.Sign([.. prp.Span, .. serialized])) });
        }

        var transaction = new Transaction();
        transaction.Actions.Add(new TransactionAction { Payload = new ChaincodeActionPayload { Action = endorsed }.ToByteString() });
        return SignedEnvelope.Create("funds", HeaderType.EndorserTransaction, transaction.ToByteString(), creator.Serialized, creator.Files.Signer).ToByteString();
    }

    private TxValidationCode Verdict(ByteString envelope) => new TransactionValidator(_bundle).Validate(0, envelope).Code;

    private (byte[], SigningIdentityFiles) Admin1 => Identity("org1.example.com", "users/Admin@org1.example.com", "Org1MSP");

    private (byte[], SigningIdentityFiles) Admin2 => Identity("org2.example.com", "users/Admin@org2.example.com", "Org2MSP");

    /// <summary>Approvals of <paramref name="definition"/> on <paramref name="channel"/> by <paramref name="approvers"/>.</summary>
    private static DefinitionApprovals Approved(ChaincodeDefinition definition, string channel, params (byte[] Serialized, SigningIdentityFiles Files)[] approvers)
    {
        var approvals = new DefinitionApprovals { Proposal = new DefinitionProposal { ChannelId = channel, Definition = definition.ToByteString() }.ToByteString() };
        foreach (var (serialized, files) in approvers)
        {
            approvals.Approvals.Add(ConfigUpdates.Sign(approvals.Proposal, serialized, files.Signer));
        }

        return approvals;
    }

    /// <summary>A _lifecycle CommitChaincodeDefinition transaction carrying <paramref name="argument"/> and writing <paramref name="written"/> under <paramref name="key"/>.</summary>
    private static ByteString LifecycleTransaction(
        (byte[] Serialized, SigningIdentityFiles Files) creator, ByteString argument, string key, ByteString written, params (byte[] Serialized, SigningIdentityFiles Files)[] endorsers)
    {
        var kv = new KVRWSet();
        kv.Reads.Add(new KVRead { Key = key });
        kv.Writes.Add(new KVWrite { Key = key, Value = written });
        var rwset = new TxReadWriteSet();
        rwset.NsRwset.Add(new NsReadWriteSet { Namespace = ChaincodeLifecycle.Namespace, Rwset = kv.ToByteString() });
        var prp = new ProposalResponsePayload
        {
            Extension = new ChaincodeAction { Results = rwset.ToByteString(), ChaincodeId = new ChaincodeID { Name = ChaincodeLifecycle.Namespace } }.ToByteString(),
        }.ToByteString();
        var endorsed = new ChaincodeEndorsedAction { ProposalResponsePayload = prp };
        foreach (var (serialized, files) in endorsers)
        {
            endorsed.Endorsements.Add(new Endorsement { Endorser = ByteString.CopyFrom(serialized), Signature = ByteString.CopyFrom(files.Signer.Sign([.. prp.Span, .. serialized])) });
        }

        var input = new ChaincodeInput();
        input.Args.Add(ByteString.CopyFromUtf8(ChaincodeLifecycle.CommitFunction));
        input.Args.Add(argument);
        var proposalPayload = new ChaincodeProposalPayload
        {
            Input = new ChaincodeInvocationSpec { ChaincodeSpec = new ChaincodeSpec { ChaincodeId = new ChaincodeID { Name = ChaincodeLifecycle.Namespace }, Input = input } }.ToByteString(),
        };
        var transaction = new Transaction();
        transaction.Actions.Add(new TransactionAction { Payload = new ChaincodeActionPayload { ChaincodeProposalPayload = proposalPayload.ToByteString(), Action = endorsed }.ToByteString() });
        return SignedEnvelope.Create("funds", HeaderType.EndorserTransaction, transaction.ToByteString(), creator.Serialized, creator.Files.Signer).ToByteString();
    }

    private ByteString Commit(ChaincodeDefinition definition, params (byte[] Serialized, SigningIdentityFiles Files)[] approvers) =>
        LifecycleTransaction(Client, Approved(definition, "funds", approvers).ToByteString(), ChaincodeLifecycle.DefinitionKey(definition.Name), definition.ToByteString(), Peer1, Peer2);

    private static ChaincodeDefinition NewChaincode => new()
    {
        Name = "settlement",
        Version = "1.0",
        Sequence = 1,
        EndorsementPolicy = new Protos.Peer.ApplicationPolicy { ChannelConfigPolicyReference = "/Channel/Application/Endorsement" },
    };

    [Test]
    public void A_definition_approved_by_a_majority_of_admins_and_endorsed_under_lifecycle_endorsement_is_valid()
    {
        var (code, reason) = new TransactionValidator(_bundle).Validate(0, Commit(NewChaincode, Admin1, Admin2));

        Assert.That(code, Is.EqualTo(TxValidationCode.Valid), reason);
    }

    [Test]
    public void A_definition_approved_by_too_few_admins_or_by_non_admins_is_invalid_naming_the_policy()
    {
        var validator = new TransactionValidator(_bundle);
        var (code, reason) = validator.Validate(0, Commit(NewChaincode, Admin1));
        var (byClients, clientsReason) = validator.Validate(0, Commit(NewChaincode, Client, Identity("org2.example.com", "users/User1@org2.example.com", "Org2MSP")));

        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(TxValidationCode.InvalidOtherReason));
            Assert.That(reason, Does.Contain("chaincode settlement sequence 1 is not approved by enough organisations").And.Contain("/Channel/Application/Admins"));
            Assert.That(byClients, Is.EqualTo(TxValidationCode.InvalidOtherReason));
            Assert.That(clientsReason, Does.Contain("not approved"));
        });
    }

    [Test]
    public void A_definition_endorsed_by_one_org_of_two_fails_lifecycle_endorsement()
    {
        var definition = NewChaincode;
        var envelope = LifecycleTransaction(Client, Approved(definition, "funds", Admin1, Admin2).ToByteString(), ChaincodeLifecycle.DefinitionKey(definition.Name), definition.ToByteString(), Peer1);

        var (code, reason) = new TransactionValidator(_bundle).Validate(0, envelope);

        Assert.That(code, Is.EqualTo(TxValidationCode.EndorsementPolicyFailure));
        Assert.That(reason, Does.Contain("LifecycleEndorsement"));
    }

    [Test]
    public void A_commit_that_writes_other_bytes_than_it_approved_or_under_another_key_is_illegal()
    {
        var definition = NewChaincode;
        var approvals = Approved(definition, "funds", Admin1, Admin2).ToByteString();
        var changed = NewChaincode;
        changed.EndorsementPolicy = new Protos.Peer.ApplicationPolicy { SignaturePolicy = PolicyDsl.Parse("OR('Org1MSP.peer')") };
        var validator = new TransactionValidator(_bundle);

        Assert.Multiple(() =>
        {
            Assert.That(validator.Validate(0, LifecycleTransaction(Client, approvals, ChaincodeLifecycle.DefinitionKey("settlement"), changed.ToByteString(), Peer1, Peer2)).Code, Is.EqualTo(TxValidationCode.IllegalWriteset));
            Assert.That(validator.Validate(0, LifecycleTransaction(Client, approvals, ChaincodeLifecycle.DefinitionKey("funds"), definition.ToByteString(), Peer1, Peer2)).Code, Is.EqualTo(TxValidationCode.IllegalWriteset));
            Assert.That(validator.Validate(0, LifecycleTransaction(Client, approvals, "approvals/settlement", definition.ToByteString(), Peer1, Peer2)).Code, Is.EqualTo(TxValidationCode.IllegalWriteset));
            Assert.That(validator.Validate(0, LifecycleTransaction(Client, ByteString.CopyFromUtf8("not a message"), ChaincodeLifecycle.DefinitionKey("settlement"), definition.ToByteString(), Peer1, Peer2)).Code,
                Is.EqualTo(TxValidationCode.BadPayload).Or.EqualTo(TxValidationCode.InvalidOtherReason));
        });
    }

    [Test]
    public void A_redefinition_must_take_the_next_sequence_keep_its_collections_and_be_for_this_channel()
    {
        var validator = new TransactionValidator(_bundle);
        var sameSequence = new ChaincodeDefinition { Name = "funds", Sequence = 1 };
        var withoutCollection = _bundle.Chaincode("notes")!.Clone();
        withoutCollection.Sequence = 2;
        withoutCollection.Collections.Config.RemoveAt(0);
        var next = new ChaincodeDefinition { Name = "funds", Sequence = 2 };
        var elsewhere = Approved(next, "other", Admin1, Admin2).ToByteString();

        Assert.Multiple(() =>
        {
            Assert.That(validator.Validate(0, Commit(sameSequence, Admin1, Admin2)).Reason, Does.Contain("sequence 1 does not follow the committed sequence 1 (expected 2)"));
            Assert.That(validator.Validate(0, Commit(withoutCollection, Admin1, Admin2)).Reason, Does.Contain("collection org1-notes cannot be removed"));
            Assert.That(validator.Validate(0, LifecycleTransaction(Client, elsewhere, ChaincodeLifecycle.DefinitionKey("funds"), next.ToByteString(), Peer1, Peer2)).Reason,
                Does.Contain("approved for channel \"other\", not funds"));
            Assert.That(validator.Validate(0, Commit(next, Admin1, Admin2)).Code, Is.EqualTo(TxValidationCode.Valid));
        });
    }

    [Test]
    public void A_chaincode_cannot_write_the_lifecycle_namespace()
    {
        Assert.That(Verdict(Transaction(Client, "funds", ChaincodeLifecycle.Namespace, Peer1, Peer2)), Is.EqualTo(TxValidationCode.IllegalWriteset));
    }

    [Test]
    public void Transaction_endorsed_by_both_orgs_is_valid()
    {
        Assert.That(Verdict(Transaction(Client, "funds", "funds", Peer1, Peer2)), Is.EqualTo(TxValidationCode.Valid));
    }

    [Test]
    public void Transaction_endorsed_by_one_org_fails_the_policy_with_a_reason()
    {
        var (code, reason) = new TransactionValidator(_bundle).Validate(0, Transaction(Client, "funds", "funds", Peer1));

        Assert.That(code, Is.EqualTo(TxValidationCode.EndorsementPolicyFailure));
        Assert.That(reason, Does.Contain("Org2MSP.peer"));
    }

    [Test]
    public void Channel_policy_reference_uses_the_channel_endorsement_policy()
    {
        Assert.That(Verdict(Transaction(Client, "registry", "registry", Peer1)), Is.EqualTo(TxValidationCode.EndorsementPolicyFailure), "MAJORITY of 2 orgs needs both");
        Assert.That(Verdict(Transaction(Client, "registry", "registry", Peer1, Peer2)), Is.EqualTo(TxValidationCode.Valid));
    }

    [Test]
    public void Writes_to_a_collection_with_its_own_policy_are_judged_by_that_policy_alone()
    {
        var validator = new TransactionValidator(_bundle);

        Assert.Multiple(() =>
        {
            Assert.That(validator.Validate(0, Transaction(Client, "notes", "notes", publicWrite: false, "org1-notes", Peer1)).Code, Is.EqualTo(TxValidationCode.Valid),
                "only a private write: the collection's OR('Org1MSP.peer') replaces the chaincode's AND");
            var (code, reason) = validator.Validate(0, Transaction(Client, "notes", "notes", publicWrite: false, "org1-notes", Peer2));
            Assert.That(code, Is.EqualTo(TxValidationCode.EndorsementPolicyFailure));
            Assert.That(reason, Does.Contain("endorsement policy of collection org1-notes of chaincode notes"));
            Assert.That(validator.Validate(0, Transaction(Client, "notes", "notes", publicWrite: true, "org1-notes", Peer1)).Code, Is.EqualTo(TxValidationCode.EndorsementPolicyFailure),
                "a public write too: the chaincode's policy also applies");
            Assert.That(validator.Validate(0, Transaction(Client, "notes", "notes", publicWrite: true, "org1-notes", Peer1, Peer2)).Code, Is.EqualTo(TxValidationCode.Valid));
            Assert.That(validator.Validate(0, Transaction(Client, "notes", "notes", publicWrite: false, "shared", Peer1)).Code, Is.EqualTo(TxValidationCode.EndorsementPolicyFailure),
                "a collection without a policy of its own falls back to the chaincode's");
        });
    }

    [Test]
    public void Endorsement_by_a_client_does_not_count_as_a_peer()
    {
        Assert.That(Verdict(Transaction(Client, "funds", "funds", Peer1, Identity("org2.example.com", "users/User1@org2.example.com", "Org2MSP"))), Is.EqualTo(TxValidationCode.EndorsementPolicyFailure));
    }

    [Test]
    public void A_value_over_the_limit_every_peer_applies_is_a_bad_read_write_set_naming_the_key()
    {
        var atLimit = Transaction(Client, "funds", "funds", ByteString.CopyFrom(new byte[StateLimits.MaxValueBytes]), null, Peer1, Peer2);
        var over = Transaction(Client, "funds", "funds", ByteString.CopyFrom(new byte[StateLimits.MaxValueBytes + 1]), null, Peer1, Peer2);
        var validator = new TransactionValidator(_bundle);

        var verdict = validator.Validate(0, over);

        Assert.Multiple(() =>
        {
            Assert.That(validator.Validate(0, atLimit).Code, Is.EqualTo(TxValidationCode.Valid));
            Assert.That(verdict.Code, Is.EqualTo(TxValidationCode.BadRwset));
            Assert.That(verdict.Reason, Is.EqualTo($"read/write set of namespace \"funds\": value of key \"k\" in namespace \"funds\" is {StateLimits.MaxValueBytes + 1} bytes, more than the 3145728 bytes (3 MiB) a value may have"));
        });
    }

    [Test]
    public void Writes_outside_the_chaincodes_namespace_are_illegal()
    {
        Assert.That(Verdict(Transaction(Client, "funds", "registry", Peer1, Peer2)), Is.EqualTo(TxValidationCode.IllegalWriteset));
    }

    [Test]
    public void Undefined_chaincode_is_invalid()
    {
        Assert.That(Verdict(Transaction(Client, "nope", "nope", Peer1, Peer2)), Is.EqualTo(TxValidationCode.InvalidChaincode));
    }

    [Test]
    public void Bad_creator_signature_is_caught()
    {
        var envelope = Envelope.Parser.ParseFrom(Transaction(Client, "funds", "funds", Peer1, Peer2));
        envelope.Signature = ByteString.CopyFrom(Client.Item2.Signer.Sign("other bytes"u8));

        Assert.That(Verdict(envelope.ToByteString()), Is.EqualTo(TxValidationCode.BadCreatorSignature));
    }

    [Test]
    public void Creator_from_an_unknown_msp_is_caught()
    {
        var outsider = (MspRegistry.Serialize("Org9MSP", Client.Item2.Certificate), Client.Item2);

        Assert.That(Verdict(Transaction(outsider, "funds", "funds", Peer1, Peer2)), Is.EqualTo(TxValidationCode.BadCreatorSignature));
    }

    [Test]
    public void An_endorser_certificate_with_a_corrupt_validity_date_fails_the_policy_instead_of_throwing()
    {
        var poisoned = (CorruptCertificates.Serialize("Org1MSP", CorruptCertificates.WithCorruptValidity(Peer1.Item2.Certificate)), Peer1.Item2);

        var (code, reason) = new TransactionValidator(_bundle).Validate(0, Transaction(Client, "funds", "funds", poisoned, Peer2));

        Assert.That(code, Is.EqualTo(TxValidationCode.EndorsementPolicyFailure));
        Assert.That(reason, Does.Contain("cannot be read: CryptographicException"));
    }

    [Test]
    public void A_creator_certificate_with_a_corrupt_validity_date_is_a_bad_creator()
    {
        var poisoned = (CorruptCertificates.Serialize("Org1MSP", CorruptCertificates.WithCorruptValidity(Client.Item2.Certificate)), Client.Item2);

        var (code, reason) = new TransactionValidator(_bundle).Validate(0, Transaction(poisoned, "funds", "funds", Peer1, Peer2));

        Assert.That(code, Is.EqualTo(TxValidationCode.BadCreatorSignature));
        Assert.That(reason, Does.StartWith("creator: certificate"));
    }

    [Test]
    public void A_signed_timestamp_protobuf_cannot_convert_is_a_bad_payload_and_the_parser_names_it()
    {
        var envelope = Envelope.Parser.ParseFrom(Transaction(Client, "funds", "funds", Peer1, Peer2));
        var payload = Payload.Parser.ParseFrom(envelope.Payload);
        var header = ChannelHeader.Parser.ParseFrom(payload.Header.ChannelHeader);
        header.Timestamp.Nanos = 1_759_464_924; // over 999,999,999: Timestamp.ToDateTime throws
        payload.Header.ChannelHeader = header.ToByteString();
        envelope.Payload = payload.ToByteString();
        envelope.Signature = ByteString.CopyFrom(Client.Item2.Signer.Sign(envelope.Payload.Span));

        var (code, reason) = new TransactionValidator(_bundle).Validate(0, envelope.ToByteString());
        var parsed = Ledger.Validation.TransactionParser.Parse(0, envelope.ToByteString());

        Assert.That(code, Is.EqualTo(TxValidationCode.BadPayload));
        Assert.That(reason, Does.Contain("timestamp").And.Contain("is not a valid time"));
        Assert.That(parsed.Problem, Does.Contain("nanos 1759464924) is not a valid time"));
    }

    [Test]
    public void Garbage_is_a_bad_payload()
    {
        Assert.That(Verdict(ByteString.CopyFrom(0x0a, 0x01, 0xff)), Is.EqualTo(TxValidationCode.BadPayload));
        Assert.That(Verdict(ByteString.Empty), Is.EqualTo(TxValidationCode.NilEnvelope));
    }

    [Test]
    public void Block_signed_by_the_orderer_verifies_and_by_a_peer_does_not()
    {
        var block = BlockFactory.Create(1, new byte[32], [Transaction(Client, "funds", "funds", Peer1, Peer2)]);
        var orderer = Identity("example.com", "orderers/orderer.example.com", "OrdererMSP");
        new BlockSigner(orderer.Item1, orderer.Item2.Signer).Sign(block, 0);

        Assert.That(BlockVerifier.Check(block, _bundle), Is.Null);

        new BlockSigner(Peer1.Item1, Peer1.Item2.Signer).Sign(block, 0);
        Assert.That(BlockVerifier.Check(block, _bundle), Does.Contain("is not of an orderer organisation"));
        block.Header.Number = 2;
        Assert.That(BlockVerifier.Check(block, _bundle), Is.Not.Null);
    }
}
