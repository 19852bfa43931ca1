using FnzChain.HostileInputTests.Blocks;
using FnzChain.HostileInputTests.Network;
using FnzChain.Identity.Channels;
using FnzChain.IntegrationTests;
using FnzChain.Ledger;
using FnzChain.Ledger.Blocks;
using FnzChain.Ledger.Storage;
using FnzChain.Ledger.Validation;
using FnzChain.Node.Channels;
using FnzChain.Peer.Committer;
using FnzChain.Protos.Common;
using FnzChain.Protos.Orderer;
using FnzChain.Protos.Peer;
using Google.Protobuf;

namespace FnzChain.HostileInputTests.Fuzzing;

/// <summary>
/// The decoders a block's bytes go through on a peer, fuzzed in-process from real inputs of the running network:
/// a committed endorsed transaction, the channel's configuration, real (and poisoned) identities. Nothing may throw,
/// and every rejection names its reason. Seeded (<c>FNZCHAIN_HOSTILE_SEED</c>); <c>FNZCHAIN_FUZZ_ITERATIONS</c> sets the run length.
/// </summary>
[TestFixture]
[Category("Hostile")]
[NonParallelizable]
public sealed class DecoderFuzzTests
{
    private HostileNetwork _net = null!;
    private ChannelBundle _bundle = null!;
    private List<byte[]> _envelopes = null!;
    private List<byte[]> _identities = null!;
    private byte[] _lifecycle = null!;

    [OneTimeSetUp]
    public async Task ReadCorpus()
    {
        _net = SharedNetwork.Current;
        var blocks = await ReadChainAsync();
        var envelopes = blocks.Where(b => !ConfigBlock.IsConfigBlock(b)).SelectMany(b => b.Data.Data).ToList();
        bool IsLifecycle(ByteString envelope) => TransactionParser.Parse(0, envelope).ReadWriteSets.Any(ns => ns.Namespace == ChaincodeLifecycle.Namespace);

        // The chaincode definitions the network committed (its _lifecycle transactions), as a peer has them.
        var definitions = envelopes.Where(IsLifecycle)
            .SelectMany(e => TransactionParser.Parse(0, e).ReadWriteSets.SelectMany(ns => ns.ReadWriteSet.Writes))
            .Select(w => ChaincodeLifecycle.ParseDefinition(w.Value.Span, w.Key))
            .GroupBy(d => d.Name).Select(g => g.MaxBy(d => d.Sequence)!).ToList();
        Assert.That(definitions, Is.Not.Empty, "the network defined no chaincode");
        _bundle = ChannelBundle.Create(ConfigBlock.ReadConfig(blocks[(int)ConfigBlock.LastConfigIndex(blocks[^1])])).WithChaincodes(definitions);
        _lifecycle = envelopes.First(IsLifecycle).ToByteArray();
        var (poisonedClient, _) = PoisonedIdentity.Create("Org1MSP", _net.Client.Files.Certificate);
        var (poisonedPeer, _) = PoisonedIdentity.Create("Org1MSP", _net.Org1Peer.Files.Certificate);
        _identities = [_net.Client.Serialized, _net.Org1Peer.Serialized, _net.Org2Peer.Serialized, _net.OrdererAdmin.Serialized, poisonedClient, poisonedPeer];
        // A chaincode's transaction first (the re-signing fuzzer starts from it), then the rest, the definition among them.
        _envelopes = envelopes.OrderBy(IsLifecycle).Select(d => d.ToByteArray()).ToList();
        Assert.That(_envelopes, Is.Not.Empty, "the network committed no transaction to start from");
        var data = Payload.Parser.ParseFrom(Envelope.Parser.ParseFrom(_envelopes[0]).Payload).Data;
        _envelopes.Add(SignedEnvelope.Create(TestNetwork.Channel, HeaderType.EndorserTransaction, data, poisonedClient, _net.Client.Files.Signer).ToByteArray());
    }

    [Test]
    public void TransactionValidator_never_throws_and_gives_every_verdict_a_reason() =>
        Fuzz("TransactionValidator.Validate", _envelopes, bytes =>
        {
            var (code, reason) = new TransactionValidator(_bundle).Validate(0, ByteString.CopyFrom(bytes));
            return (code.ToString(), code == TxValidationCode.Valid, reason);
        });

    /// <summary>
    /// Deeper than byte mutation of a signed envelope (which almost always breaks its signatures): mutates the endorsed
    /// <c>ChaincodeAction</c> — read/write sets, collections' hashed sets, events, response, chaincode id — and signs the
    /// result again as both organisations' peers and the client, so every input reaches the namespace, read/write-set
    /// and endorsement-policy checks with valid signatures; every 25 inputs go, with the validator's verdicts, into a
    /// block committed to a real ledger (RocksDB and block files in a temp folder), so the MVCC and state-update paths
    /// see them too. Nothing may throw; the verdicts are what an attacker holding endorsing keys (a compromised peer)
    /// could make a peer say.
    /// </summary>
    [Test]
    public async Task TransactionValidator_and_ledger_never_throw_on_validly_signed_mutated_actions()
    {
        var folder = Directory.CreateTempSubdirectory("fnzchain-fuzz-ledger-");
        using var ledger = await ChannelLedger.OpenAsync(folder.FullName, new LedgerOptions { Durability = CommitDurability.Buffered });
        var genesis = (await ReadChainAsync())[0];
        var previous = (await ledger.CommitAsync(genesis, [TxValidationCode.Valid])).BlockHash;
        var validated = new List<(ByteString Envelope, TxValidationCode Code)>();
        var committed = new Dictionary<TxValidationCode, int>();

        var template = Transaction.Parser.ParseFrom(Payload.Parser.ParseFrom(Envelope.Parser.ParseFrom(_envelopes[0]).Payload).Data);
        var actionPayload = ChaincodeActionPayload.Parser.ParseFrom(template.Actions[0].Payload);
        var responsePayload = ProposalResponsePayload.Parser.ParseFrom(actionPayload.Action.ProposalResponsePayload);
        var validator = new TransactionValidator(_bundle);
        Fuzz("TransactionValidator.Validate (re-signed actions)", [responsePayload.Extension.ToByteArray()], action =>
        {
            var prp = new ProposalResponsePayload { ProposalHash = responsePayload.ProposalHash, Extension = ByteString.CopyFrom(action) }.ToByteString();
            var endorsed = new ChaincodeEndorsedAction { ProposalResponsePayload = prp };
            foreach (var endorser in new[] { _net.Org1Peer, _net.Org2Peer })
            {
                endorsed.Endorsements.Add(new Endorsement
                {
                    Endorser = ByteString.CopyFrom(endorser.Serialized),
                    Signature = ByteString.CopyFrom(endorser.Files.Signer.Sign([.. prp.Span, .. endorser.Serialized])),
                });
            }

            var transaction = new Transaction();
            transaction.Actions.Add(new TransactionAction
            {
                Header = template.Actions[0].Header,
                Payload = new ChaincodeActionPayload { ChaincodeProposalPayload = actionPayload.ChaincodeProposalPayload, Action = endorsed }.ToByteString(),
            });
            var envelope = _net.Client.Envelope(TestNetwork.Channel, HeaderType.EndorserTransaction, transaction.ToByteString()).ToByteString();
            var (code, reason) = validator.Validate(0, envelope);
            var parsed = TransactionParser.Parse(0, envelope);
            validated.Add((envelope, code));

            return ($"{code}{(parsed.Problem is null ? string.Empty : " (parse problem)")}", code == TxValidationCode.Valid, reason);
        });
        // The fuzzer's loop is synchronous: the validated inputs are committed after it, 25 to a block, in order.
        foreach (var chunk in validated.Chunk(25))
        {
            var block = BlockFactory.Create(ledger.Height, previous, chunk.Select(p => p.Envelope));
            var result = await ledger.CommitAsync(block, chunk.Select(p => p.Code).ToList());
            previous = result.BlockHash;
            foreach (var code in result.Codes)
            {
                committed[code] = committed.GetValueOrDefault(code) + 1;
            }
        }

        TestContext.Progress.WriteLine($"ledger: {ledger.Height} blocks committed; codes after MVCC: {string.Join(", ", committed.OrderByDescending(c => c.Value).Select(c => $"{c.Key} {c.Value}"))}");
        ledger.Dispose();
        folder.Delete(recursive: true);
    }

    /// <summary>
    /// Chaincode definitions as every peer checks them: the network's real <c>_lifecycle</c> commit, its argument (the
    /// definition and the admins' approvals) mutated byte-wise, the transaction then signed validly by both peers and the
    /// client, so mutations reach the approvals, sequence, collection and policy checks. Nothing may throw, every verdict
    /// names its reason, and a mutated argument is never accepted unless it still carries exactly the approved bytes.
    /// </summary>
    [Test]
    public void Lifecycle_definitions_with_validly_signed_mutated_approvals_are_refused_with_a_reason()
    {
        var template = Transaction.Parser.ParseFrom(Payload.Parser.ParseFrom(Envelope.Parser.ParseFrom(_lifecycle).Payload).Data);
        var actionPayload = ChaincodeActionPayload.Parser.ParseFrom(template.Actions[0].Payload);
        var proposalPayload = ChaincodeProposalPayload.Parser.ParseFrom(actionPayload.ChaincodeProposalPayload);
        var spec = ChaincodeInvocationSpec.Parser.ParseFrom(proposalPayload.Input);
        var seed = spec.ChaincodeSpec.Input.Args[1].ToByteArray();
        var approved = FnzChain.Protos.Lifecycle.DefinitionApprovals.Parser.ParseFrom(seed).Proposal;
        // Against the channel as it was before the definition, so the real argument is valid and mutations are judged on their merits.
        var before = _bundle.WithChaincodes(_bundle.Chaincodes.Where(c => c.Name != "funds"));
        var validator = new TransactionValidator(before);
        Fuzz("TransactionValidator.Validate (_lifecycle approvals)", [seed], argument =>
        {
            var mutated = spec.Clone();
            mutated.ChaincodeSpec.Input.Args[1] = ByteString.CopyFrom(argument);
            var payload = new ChaincodeProposalPayload { Input = mutated.ToByteString() }.ToByteString();
            var endorsed = new ChaincodeEndorsedAction { ProposalResponsePayload = actionPayload.Action.ProposalResponsePayload };
            foreach (var endorser in new[] { _net.Org1Peer, _net.Org2Peer })
            {
                endorsed.Endorsements.Add(new Endorsement
                {
                    Endorser = ByteString.CopyFrom(endorser.Serialized),
                    Signature = ByteString.CopyFrom(endorser.Files.Signer.Sign([.. endorsed.ProposalResponsePayload.Span, .. endorser.Serialized])),
                });
            }

            var transaction = new Transaction();
            transaction.Actions.Add(new TransactionAction { Header = template.Actions[0].Header, Payload = new ChaincodeActionPayload { ChaincodeProposalPayload = payload, Action = endorsed }.ToByteString() });
            var envelope = _net.Client.Envelope(TestNetwork.Channel, HeaderType.EndorserTransaction, transaction.ToByteString()).ToByteString();
            var (code, reason) = validator.Validate(0, envelope);
            if (code == TxValidationCode.Valid && !FnzChain.Protos.Lifecycle.DefinitionApprovals.Parser.ParseFrom(argument).Proposal.Span.SequenceEqual(approved.Span))
            {
                throw new InvalidOperationException("a definition whose approved proposal differs from the one the admins signed was judged valid");
            }

            // Valid: the same proposal with the same signatures (repeated, or beside fields protobuf skips) — harmless.
            return (code == TxValidationCode.Valid ? "Valid (the signed proposal, unchanged)" : $"{code}: {Category(reason ?? "no reason")}", code == TxValidationCode.Valid, reason);
        });
    }

    /// <summary>
    /// Config updates as an orderer applies them: a real update (Org1's anchor peers) mutated byte-wise and then signed
    /// validly by Org1's admin, so mutations reach the read/write-set, version, mod_policy and resulting-configuration
    /// checks. Every input is applied or refused with a <see cref="ConfigUpdateRejectedException"/> naming why.
    /// </summary>
    [Test]
    public void ConfigUpdateRules_Apply_applies_or_refuses_validly_signed_mutated_updates_with_a_reason()
    {
        var tree = _bundle.Config.Tree;
        var next = tree.Clone();
        var anchors = new AnchorPeers();
        anchors.AnchorPeers_.Add(new AnchorPeer { Host = "127.0.0.1", Port = 7051 });
        next.ChannelGroup.Groups["Application"].Groups["Org1"].Values["AnchorPeers"] = ConfigTree.Value(anchors);
        var seed = ConfigUpdateRules.Compute(TestNetwork.Channel, tree, next).ToByteArray();
        var admin = _net.Org1Admin;
        Fuzz("ConfigUpdateRules.Apply (re-signed updates)", [seed], bytes =>
        {
            var update = ByteString.CopyFrom(bytes);
            var envelope = new ConfigUpdateEnvelope { ConfigUpdate = update };
            envelope.Signatures.Add(FnzChain.Orderer.Channels.ConfigUpdates.Sign(update, admin.Serialized, admin.Files.Signer));
            try
            {
                var applied = ConfigUpdateRules.Apply(_bundle, envelope, DateTimeOffset.UtcNow);
                return ($"applied (sequence {applied.Sequence})", true, null);
            }
            catch (ConfigUpdateRejectedException e)
            {
                return (Category(e.Message), false, e.Message);
            }
        });
    }

    [Test]
    public void TransactionParser_never_throws_and_names_problems() =>
        Fuzz("TransactionParser.Parse", _envelopes, bytes =>
        {
            var parsed = TransactionParser.Parse(0, ByteString.CopyFrom(bytes));
            return (parsed.Problem is null ? "parsed" : "problem", parsed.Problem is null, parsed.Problem);
        });

    [Test]
    public void MspRegistry_Deserialize_never_throws_and_names_rejections() =>
        Fuzz("MspRegistry.Deserialize", _identities, bytes =>
        {
            var result = _bundle.Msps.Deserialize(bytes);
            return (result.IsValid ? "valid" : Category(result.Error), result.IsValid, result.Error);
        });

    [Test]
    public void SignedEnvelope_Parse_throws_only_format_errors_that_name_the_part() =>
        Fuzz("SignedEnvelope.Parse", _envelopes, bytes =>
        {
            try
            {
                var parsed = SignedEnvelope.Parse(Envelope.Parser.ParseFrom(bytes));
                return ($"parsed {parsed.Type}", true, null);
            }
            catch (Exception e) when (e is FormatException or InvalidProtocolBufferException)
            {
                return (e.GetType().Name, false, e.Message); // its documented rejection
            }
        });

    private static void Fuzz(string name, IReadOnlyList<byte[]> seeds, Func<byte[], (string, bool, string?)> decode)
    {
        var fuzzer = new DecoderFuzzer(name, HostileSeed.For("fuzz " + name));
        var iterations = DecoderFuzzer.Iterations;
        fuzzer.Run(seeds, iterations, decode);
        TestContext.Progress.WriteLine(
            $"fuzz {name}: {iterations} iterations from {seeds.Count} seeds, {HostileSeed.Reproduce}; verdicts: "
            + string.Join(", ", fuzzer.Verdicts.OrderByDescending(v => v.Value).Select(v => $"{v.Key} {v.Value}")));
        Assert.That(fuzzer.Failures, Is.Empty, $"{name}, {HostileSeed.Reproduce}:\n{string.Join("\n", fuzzer.Failures.Take(10))}");
    }

    /// <summary>A rejection's category: its text up to the first detail, so verdicts group without one per input.</summary>
    private static string Category(string error)
    {
        var cut = error.IndexOfAny([':', '\'', '"', '(']);
        return cut > 0 ? error[..cut].Trim() : error.Length > 40 ? error[..40] : error;
    }

    private async Task<List<Block>> ReadChainAsync()
    {
        using var channel = TestNetwork.Connect(_net.Orderer);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var call = new AtomicBroadcast.AtomicBroadcastClient(channel).Deliver(cancellationToken: timeout.Token);
        var seek = new SeekInfo { Start = new SeekPosition { Oldest = new SeekOldest() }, Stop = new SeekPosition { Newest = new SeekNewest() } };
        await call.RequestStream.WriteAsync(_net.Client.Envelope(TestNetwork.Channel, HeaderType.DeliverSeekInfo, seek.ToByteString()));
        var blocks = new List<Block>();
        while (await call.ResponseStream.MoveNext(timeout.Token) && call.ResponseStream.Current.TypeCase == FnzChain.Protos.Orderer.DeliverResponse.TypeOneofCase.Block)
        {
            blocks.Add(call.ResponseStream.Current.Block);
        }

        return blocks;
    }
}
