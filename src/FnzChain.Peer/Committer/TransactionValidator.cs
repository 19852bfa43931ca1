using System.Collections.Concurrent;
using System.Security.Cryptography;
using FnzChain.Crypto.Signatures;
using FnzChain.Identity.Channels;
using FnzChain.Identity.Msp;
using FnzChain.Identity.Policies;
using FnzChain.Ledger.Validation;
using FnzChain.Protos.Common;
using FnzChain.Protos.Lifecycle;
using FnzChain.Protos.Peer;
using Google.Protobuf;
using ApplicationPolicy = FnzChain.Protos.Peer.ApplicationPolicy;

namespace FnzChain.Peer.Committer;

/// <summary>
/// The peer's checks of each transaction of a block before the ledger's MVCC: well-formed envelope, the
/// creator's identity and signature, the tx id binding, the chaincode's definition, a read/write set that
/// touches only that chaincode's namespace, and endorsements that satisfy its endorsement policy. Transactions
/// are independent, so a block's are checked in parallel. Each verdict carries a one-line reason.
/// </summary>
/// <param name="own">Signatures this peer made (its own endorsements): recognised without a second verification.</param>
public sealed class TransactionValidator(ChannelBundle bundle, OwnSignatures? own = null)
{
    private readonly ConcurrentDictionary<(string Name, long Sequence), IPolicy?> _policies = new();
    private readonly ConcurrentDictionary<(string Name, long Sequence), Dictionary<string, CollectionPolicy>> _collectionPolicies = new();

    /// <summary>Verdicts for every transaction of a (non-config) block, in order.</summary>
    public (TxValidationCode[] Codes, string?[] Reasons) Validate(Block block)
    {
        ArgumentNullException.ThrowIfNull(block);
        var data = block.Data?.Data ?? [];
        var codes = new TxValidationCode[data.Count];
        var reasons = new string?[data.Count];
        Parallel.For(0, data.Count, i => (codes[i], reasons[i]) = Validate(i, data[i]));
        return (codes, reasons);
    }

    /// <summary>
    /// The verdict on entry <paramref name="index"/> of a block. Never throws: every check turns its failure into
    /// a code and a one-line reason, and anything unforeseen becomes INVALID_OTHER_REASON — a transaction's bytes
    /// come from its submitter, and an exception here would stop every peer on the block.
    /// </summary>
    public (TxValidationCode Code, string? Reason) Validate(int index, ByteString envelopeBytes)
    {
        ArgumentNullException.ThrowIfNull(envelopeBytes);
        try
        {
            return ValidateCore(index, envelopeBytes);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return (TxValidationCode.InvalidOtherReason, $"validation failed unexpectedly: {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}");
        }
    }

    private (TxValidationCode Code, string? Reason) ValidateCore(int index, ByteString envelopeBytes)
    {
        if (envelopeBytes.IsEmpty)
        {
            return (TxValidationCode.NilEnvelope, "empty envelope");
        }

        SignedEnvelope envelope;
        try
        {
            envelope = SignedEnvelope.Parse(Envelope.Parser.ParseFrom(envelopeBytes));
        }
        catch (Exception e) when (e is FormatException or InvalidProtocolBufferException)
        {
            return (TxValidationCode.BadPayload, e.Message);
        }

        if (envelope.ChannelId != bundle.ChannelId)
        {
            return (TxValidationCode.TargetChainNotFound, $"transaction is for channel {envelope.ChannelId}, not {bundle.ChannelId}");
        }

        if (!HeaderTime.IsValidOrMissing(envelope.ChannelHeader.Timestamp))
        {
            return (TxValidationCode.BadPayload, $"channel header timestamp (seconds {envelope.ChannelHeader.Timestamp.Seconds}, nanos {envelope.ChannelHeader.Timestamp.Nanos}) is not a valid time");
        }

        if (envelope.Type != HeaderType.EndorserTransaction)
        {
            return (TxValidationCode.UnknownTxType, $"transactions of header type {(int)envelope.Type} are not valid in a block of transactions");
        }

        var creator = bundle.Msps.Deserialize(envelope.SignatureHeader.Creator.Span);
        if (!creator.IsValid)
        {
            return (TxValidationCode.BadCreatorSignature, $"creator: {creator.Error}");
        }

        var signature = creator.Identity!.Verify(envelope.Envelope.Payload.Span, envelope.Envelope.Signature.Span);
        if (signature.Status != SignatureStatus.Valid)
        {
            return (TxValidationCode.BadCreatorSignature, $"creator signature: {signature.Reason}");
        }

        var expectedTxId = Convert.ToHexStringLower(SHA256.HashData([.. envelope.SignatureHeader.Nonce.Span, .. envelope.SignatureHeader.Creator.Span]));
        if (envelope.TxId != expectedTxId)
        {
            return (TxValidationCode.BadProposalTxid, $"tx id {envelope.TxId} is not SHA-256 of nonce and creator");
        }

        Transaction transaction;
        ChaincodeActionPayload actionPayload;
        ChaincodeAction action;
        try
        {
            transaction = Transaction.Parser.ParseFrom(envelope.Payload.Data);
            if (transaction.Actions.Count != 1)
            {
                return (TxValidationCode.InvalidEndorserTransaction, $"transaction has {transaction.Actions.Count} actions, expected 1");
            }

            actionPayload = ChaincodeActionPayload.Parser.ParseFrom(transaction.Actions[0].Payload);
            if (actionPayload.Action is null)
            {
                return (TxValidationCode.InvalidEndorserTransaction, "no endorsed action");
            }

            var responsePayload = ProposalResponsePayload.Parser.ParseFrom(actionPayload.Action.ProposalResponsePayload);
            action = ChaincodeAction.Parser.ParseFrom(responsePayload.Extension);
        }
        catch (InvalidProtocolBufferException e)
        {
            return (TxValidationCode.BadResponsePayload, $"endorsed action does not parse: {e.Message}");
        }

        var parsed = TransactionParser.Parse(index, envelopeBytes);
        if (parsed.Problem is not null)
        {
            return (TxValidationCode.BadRwset, parsed.Problem);
        }

        var chaincode = action.ChaincodeId?.Name ?? string.Empty;
        var endorsements = actionPayload.Action.Endorsements.Select(e => new SignedData(
            e.Endorser.Memory,
            (byte[])[.. actionPayload.Action.ProposalResponsePayload.Span, .. e.Endorser.Span],
            e.Signature.Memory)).ToList();
        if (chaincode == ChaincodeLifecycle.Namespace)
        {
            return ValidateLifecycle(actionPayload, parsed, endorsements);
        }

        var definition = bundle.Chaincode(chaincode);
        if (definition is null)
        {
            return (TxValidationCode.InvalidChaincode, $"chaincode \"{chaincode}\" is not defined on channel {bundle.ChannelId}");
        }

        if (parsed.ReadWriteSets.FirstOrDefault(ns => ns.Chaincode != chaincode) is { } foreign)
        {
            return (TxValidationCode.IllegalWriteset, $"chaincode {chaincode} touched namespace {foreign.Namespace}");
        }

        // As Fabric: writes to a collection with its own endorsement policy are judged by that policy instead of
        // the chaincode's; the chaincode's policy applies when the transaction writes public keys, writes to a
        // collection without a policy of its own, or writes nothing at all.
        var collectionPolicies = CollectionPolicies(definition);
        var writtenCollections = parsed.ReadWriteSets
            .Where(ns => ns.Collection is not null && (ns.ReadWriteSet.Writes.Count > 0 || ns.ReadWriteSet.MetadataWrites.Count > 0))
            .Select(ns => ns.Collection!)
            .Distinct(StringComparer.Ordinal)
            .ToList();
        var writesPublic = parsed.ReadWriteSets.Any(ns => ns.Collection is null && (ns.ReadWriteSet.Writes.Count > 0 || ns.ReadWriteSet.MetadataWrites.Count > 0));
        if (NeedsChaincodePolicy(writtenCollections, writesPublic, collectionPolicies) && Evaluate(definition, endorsements) is { IsSatisfied: false } failed)
        {
            return (TxValidationCode.EndorsementPolicyFailure, $"endorsement policy of chaincode {chaincode}: {failed.Reason}");
        }

        foreach (var collection in writtenCollections)
        {
            if (collectionPolicies.TryGetValue(collection, out var policy) && Evaluate(policy, endorsements) is { IsSatisfied: false } refused)
            {
                return (TxValidationCode.EndorsementPolicyFailure, $"endorsement policy of collection {collection} of chaincode {chaincode}: {refused.Reason}");
            }
        }

        return (TxValidationCode.Valid, null);
    }

    /// <summary>
    /// A transaction of the built-in <c>_lifecycle</c> contract: it writes exactly one definition key, with exactly the
    /// definition its argument carries; that definition passes <see cref="ChaincodeLifecycle.Check"/> against the
    /// definitions in force before this block (well formed, next sequence, collections kept, approved by enough
    /// organisations' admins); and its endorsements satisfy LifecycleEndorsement. Two definitions of one chaincode in
    /// one block both read its key, so MVCC lets only the first through.
    /// </summary>
    private (TxValidationCode Code, string? Reason) ValidateLifecycle(ChaincodeActionPayload actionPayload, ParsedTransaction parsed, List<SignedData> endorsements)
    {
        if (parsed.ReadWriteSets.FirstOrDefault(ns => ns.Namespace != ChaincodeLifecycle.Namespace || ns.Collection is not null) is { } foreign)
        {
            return (TxValidationCode.IllegalWriteset, $"chaincode {ChaincodeLifecycle.Namespace} touched namespace {foreign.Namespace}");
        }

        var writes = parsed.ReadWriteSets.SelectMany(ns => ns.ReadWriteSet.Writes).ToList();
        if (writes.Count != 1 || parsed.ReadWriteSets.Any(ns => ns.ReadWriteSet.MetadataWrites.Count > 0)
            || writes[0].IsDelete || ChaincodeLifecycle.NameOfKey(writes[0].Key) is not { } name)
        {
            return (TxValidationCode.IllegalWriteset, $"a {ChaincodeLifecycle.Namespace} transaction writes exactly one definition ({ChaincodeLifecycle.DefinitionKeyPrefix}<name>); this one writes {string.Join(", ", writes.Select(w => (w.IsDelete ? "delete " : string.Empty) + w.Key).DefaultIfEmpty("nothing"))}");
        }

        DefinitionApprovals approvals;
        try
        {
            var spec = ChaincodeInvocationSpec.Parser.ParseFrom(ChaincodeProposalPayload.Parser.ParseFrom(actionPayload.ChaincodeProposalPayload).Input);
            var args = spec.ChaincodeSpec?.Input?.Args ?? [];
            if (args.Count != 2 || args[0].ToStringUtf8() != ChaincodeLifecycle.CommitFunction)
            {
                return (TxValidationCode.InvalidEndorserTransaction, $"a {ChaincodeLifecycle.Namespace} transaction that writes must invoke {ChaincodeLifecycle.CommitFunction} with one argument");
            }

            approvals = DefinitionApprovals.Parser.ParseFrom(args[1]);
        }
        catch (InvalidProtocolBufferException e)
        {
            return (TxValidationCode.BadPayload, $"{ChaincodeLifecycle.Namespace} transaction's argument does not parse: {e.Message}");
        }

        var (definition, bytes, problem) = ChaincodeLifecycle.Check(bundle, approvals, bundle.Chaincode, own);
        if (definition is null)
        {
            return (TxValidationCode.InvalidOtherReason, problem);
        }

        if (!bytes!.Span.SequenceEqual(writes[0].Value.Span))
        {
            return (TxValidationCode.IllegalWriteset, $"{ChaincodeLifecycle.Namespace} transaction writes a definition of {name} that is not the one its approvals sign");
        }

        if (definition.Name != name)
        {
            return (TxValidationCode.IllegalWriteset, $"{ChaincodeLifecycle.Namespace} transaction writes key {writes[0].Key} with the definition of chaincode {definition.Name}");
        }

        var endorsed = bundle.Evaluate(ChaincodeLifecycle.EndorsementPolicy, endorsements, own);
        return endorsed.IsSatisfied
            ? (TxValidationCode.Valid, null)
            : (TxValidationCode.EndorsementPolicyFailure, $"definition of chaincode {name}: {endorsed.Reason}");
    }

    /// <summary>
    /// The policy a transaction of <paramref name="definition"/> that writes <paramref name="writtenCollections"/>
    /// (and public keys when <paramref name="writesPublic"/>) must satisfy, by the rules <see cref="Validate"/>
    /// applies — the chaincode's policy and/or the collections' own, all of them — for planning endorsements. Null
    /// when one of them cannot be resolved.
    /// </summary>
    public IPolicy? RequiredPolicy(ChaincodeDefinition definition, IReadOnlyCollection<string> writtenCollections, bool writesPublic)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(writtenCollections);
        var collectionPolicies = CollectionPolicies(definition);
        var parts = new List<IPolicy?>();
        if (NeedsChaincodePolicy(writtenCollections, writesPublic, collectionPolicies))
        {
            parts.Add(EndorsementPolicyOf(definition));
        }

        parts.AddRange(writtenCollections.Where(collectionPolicies.ContainsKey).Select(c => collectionPolicies[c] is { ChannelPolicy: { } name } ? bundle.FindPolicy(name) : collectionPolicies[c].Compiled));
        return parts.Any(p => p is null) ? null : parts.Count == 1 ? parts[0] : new AllOfPolicy(parts!);
    }

    /// <summary>As Fabric: the chaincode's policy applies unless every write is to collections with a policy of their own.</summary>
    private static bool NeedsChaincodePolicy(IReadOnlyCollection<string> writtenCollections, bool writesPublic, Dictionary<string, CollectionPolicy> collectionPolicies) =>
        writesPublic || writtenCollections.Count == 0 || writtenCollections.Any(c => !collectionPolicies.ContainsKey(c));

    /// <summary>The collections of <paramref name="definition"/> that have an endorsement policy of their own (compiled once per definition).</summary>
    private Dictionary<string, CollectionPolicy> CollectionPolicies(ChaincodeDefinition definition) =>
        _collectionPolicies.GetOrAdd((definition.Name, definition.Sequence), _ =>
            (definition.Collections?.Config ?? [])
                .Select(c => c.StaticCollectionConfig)
                .Where(c => c?.EndorsementPolicy is { TypeCase: not ApplicationPolicy.TypeOneofCase.None })
                .ToDictionary(c => c!.Name, c => CollectionPolicy.Of(c!.EndorsementPolicy), StringComparer.Ordinal));

    private PolicyResult Evaluate(CollectionPolicy policy, List<SignedData> endorsements) =>
        policy.ChannelPolicy is { } name ? bundle.Evaluate(name, endorsements, own)
        : policy.Compiled is { } compiled ? compiled.Evaluate(SignatureSet.Validate(endorsements, bundle.Msps, own))
        : PolicyResult.NotSatisfied($"it does not compile: {policy.Problem}");

    /// <summary>A collection's own endorsement policy: a channel policy it references, or its compiled signature policy.</summary>
    private sealed record CollectionPolicy(string? ChannelPolicy, IPolicy? Compiled, string? Problem)
    {
        public static CollectionPolicy Of(ApplicationPolicy policy)
        {
            if (policy.TypeCase == ApplicationPolicy.TypeOneofCase.ChannelConfigPolicyReference)
            {
                return new(ChannelPolicyName(policy), null, null);
            }

            try
            {
                return new(null, SignaturePolicyEvaluator.Compile(policy.SignaturePolicy), null);
            }
            catch (PolicyException e)
            {
                return new(null, null, e.Message);
            }
        }
    }

    /// <summary>The endorsement policy of <paramref name="definition"/> (a channel policy it references, or its own signature policy), or null when it does not compile or names no policy.</summary>
    public IPolicy? EndorsementPolicyOf(ChaincodeDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var policy = definition.EndorsementPolicy;
        return policy is null || policy.TypeCase == ApplicationPolicy.TypeOneofCase.ChannelConfigPolicyReference
            ? bundle.FindPolicy(ChannelPolicyName(policy))
            : Compiled(definition);
    }

    /// <summary>A chaincode's channel policy reference as an absolute path: relative names resolve in /Channel/Application (Fabric's rule).</summary>
    private static string ChannelPolicyName(ApplicationPolicy? policy)
    {
        var reference = policy?.ChannelConfigPolicyReference;
        return string.IsNullOrEmpty(reference) ? ChannelBundle.Endorsement : ChannelBundle.ResolvePolicyPath(reference, "/Channel/Application");
    }

    private PolicyResult Evaluate(ChaincodeDefinition definition, List<SignedData> endorsements)
    {
        var policy = definition.EndorsementPolicy;
        if (policy is null || policy.TypeCase == ApplicationPolicy.TypeOneofCase.ChannelConfigPolicyReference)
        {
            return bundle.Evaluate(ChannelPolicyName(policy), endorsements, own);
        }

        var compiled = Compiled(definition);
        return compiled is null
            ? PolicyResult.NotSatisfied($"the endorsement policy of {definition.Name} does not compile")
            : compiled.Evaluate(SignatureSet.Validate(endorsements, bundle.Msps, own));
    }

    private IPolicy? Compiled(ChaincodeDefinition definition) =>
        _policies.GetOrAdd((definition.Name, definition.Sequence), _ =>
        {
            try
            {
                return SignaturePolicyEvaluator.Compile(definition.EndorsementPolicy.SignaturePolicy);
            }
            catch (PolicyException)
            {
                return null;
            }
        });
}
