using System.CommandLine;
using System.Security.Cryptography;
using FnzChain.Crypto.Cryptogen;
using FnzChain.Crypto.Hashing;
using FnzChain.Crypto.Keys;
using FnzChain.Identity.Msp;
using FnzChain.Identity.Policies;
using FnzChain.Protos.Common;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace FnzChain.Cli.Commands;

/// <summary>
/// <c>fnzchain demo</c> runs the network demo (<see cref="NetworkDemo"/>); <c>fnzchain demo foundation</c> the foundation demo (docs/decisions/0002). Generates a two-organisation PKI, loads the
/// MSPs, signs and checks a Fabric envelope, evaluates endorsement and admin policies, and revokes a user —
/// all with the library code the nodes use. The network demo of DESIGN.md replaces it once nodes exist.
/// </summary>
internal static class DemoCommand
{
    private const string Channel = "fund-orders";

    private const string CryptoConfigJson = """
        {
          "ordererOrgs": [{ "name": "Orderer", "domain": "example.com", "mspId": "OrdererMSP", "hosts": ["orderer"] }],
          "peerOrgs": [
            { "name": "TransferAgent", "domain": "ta.example.com", "mspId": "TransferAgentMSP", "peers": 1, "users": 1 },
            { "name": "Distributor", "domain": "distributor.example.com", "mspId": "DistributorMSP", "peers": 1, "users": 1 }
          ]
        }
        """;

    public static Command Create()
    {
        var keep = new Option<string?>("--keep") { Description = "Run in this folder and keep it (crypto, configs, ledgers, logs), instead of a temporary folder." };
        var force = ForceOption();
        var command = new Command("demo", "Run the FnzChain demo: a transfer agent and two distributors on loopback, a dealing cycle with the transfer-agency chaincode, a third distributor onboarded to the running channel, the register and a statement, erasure, verification.") { keep, force };
        var ordering = new NetworkShapeOptions();
        ordering.AddTo(command);
        command.SetAction((parse, cancellationToken) => TransferAgencyDemo.RunAsync(parse.InvocationConfiguration.Output, parse.GetValue(keep), parse.GetValue(force), ordering.Read(parse), cancellationToken));
        var sampleKeep = new Option<string?>("--keep") { Description = "Run in this folder and keep it, instead of a temporary folder." };
        var sampleForce = ForceOption();
        var sample = new Command("sample", "The two-organisation demo with the sample fund contract: Gateway transactions, events, an MVCC conflict, a refusal.") { sampleKeep, sampleForce };
        var sampleOrdering = new NetworkShapeOptions();
        sampleOrdering.AddTo(sample);
        sample.SetAction((parse, cancellationToken) => NetworkDemo.RunAsync(parse.InvocationConfiguration.Output, parse.GetValue(sampleKeep), parse.GetValue(sampleForce), sampleOrdering.Read(parse), cancellationToken));
        command.Subcommands.Add(sample);
        var foundationKeep = new Option<string?>("--keep") { Description = "Write the generated material to this folder and keep it, instead of a temporary folder." };
        var foundation = new Command("foundation", "The foundation demo: PKI, MSPs, signed envelopes, policies and revocation, without nodes.") { foundationKeep };
        foundation.SetAction(parse => Run(parse.InvocationConfiguration.Output, parse.GetValue(foundationKeep)));
        command.Subcommands.Add(foundation);
        return command;
    }

    private static Option<bool> ForceOption() => new("--force")
    {
        Description = "With --keep: if the folder holds the stopped network of an earlier run, erase it (crypto, configs, ledgers, logs) and run the demo there afresh.",
    };

    private static int Run(TextWriter output, string? keepFolder)
    {
        var folder = keepFolder ?? Directory.CreateTempSubdirectory("fnzchain-demo-").FullName;
        try
        {
            Demo(output, folder);
            return 0;
        }
        finally
        {
            if (keepFolder is null)
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    private static void Demo(TextWriter output, string folder)
    {
        output.WriteLine($"FnzChain foundation demo — material in {folder}");

        var config = CryptoConfigReader.Parse(CryptoConfigJson, "demo config");
        new CryptoMaterialGenerator().Generate(config, folder, force: true);
        var ta = Path.Combine(folder, CryptoMaterialGenerator.PeerOrganizations, "ta.example.com");
        var distributor = Path.Combine(folder, CryptoMaterialGenerator.PeerOrganizations, "distributor.example.com");
        output.WriteLine("1. PKI: CAs, TLS CAs, a peer, an admin and a user for TransferAgentMSP and DistributorMSP, and an orderer org (cryptogen layout)");

        var registry = new MspRegistry(
        [
            MspDefinition.LoadFolder(Path.Combine(ta, "msp"), "TransferAgentMSP"),
            MspDefinition.LoadFolder(Path.Combine(distributor, "msp"), "DistributorMSP"),
        ]);
        output.WriteLine($"2. Channel '{Channel}' MSPs loaded: {string.Join(", ", registry.MspIds.Order(StringComparer.Ordinal))}");

        using var user = SigningIdentityFiles.Load(Path.Combine(distributor, "users", "User1@distributor.example.com"));
        var creator = MspRegistry.Serialize("DistributorMSP", user.Certificate);
        var envelope = SignedEnvelope(creator, user, out var txId);
        var checkedCreator = CheckEnvelope(envelope, registry);
        output.WriteLine($"3. Distributor user signed transaction {txId[..16]}…: {checkedCreator}");

        var payload = "order: subscribe 10,000.00 EUR into FNZ Global Equity A (ISIN LU0000000001)"u8.ToArray();
        using var taPeer = SigningIdentityFiles.Load(Path.Combine(ta, "peers", "peer0.ta.example.com"));
        using var distributorPeer = SigningIdentityFiles.Load(Path.Combine(distributor, "peers", "peer0.distributor.example.com"));
        var taEndorsement = Endorse("TransferAgentMSP", taPeer, payload);
        var distributorEndorsement = Endorse("DistributorMSP", distributorPeer, payload);
        var endorsementPolicy = SignaturePolicyEvaluator.Parse("AND('TransferAgentMSP.peer','DistributorMSP.peer')");
        Report(output, "4. Endorsement by both peers", endorsementPolicy.Evaluate([taEndorsement, distributorEndorsement], registry));
        Report(output, "5. Endorsement by the transfer agent's peer only", endorsementPolicy.Evaluate([taEndorsement], registry));
        Report(output, "6. The same peer endorsing twice", endorsementPolicy.Evaluate([taEndorsement, taEndorsement], registry));

        using var taAdmin = SigningIdentityFiles.Load(Path.Combine(ta, "users", "Admin@ta.example.com"));
        using var distributorAdmin = SigningIdentityFiles.Load(Path.Combine(distributor, "users", "Admin@distributor.example.com"));
        var update = "config update: add FundAccountantMSP"u8.ToArray();
        var admins = new ImplicitMetaPolicyEvaluator(
            ImplicitMetaPolicyEvaluator.Parse("MAJORITY Admins"),
            [
                new OrganizationPolicy("TransferAgentMSP", SignaturePolicyEvaluator.Parse("OR('TransferAgentMSP.admin')")),
                new OrganizationPolicy("DistributorMSP", SignaturePolicyEvaluator.Parse("OR('DistributorMSP.admin')")),
            ]);
        var taAdminSignature = Endorse("TransferAgentMSP", taAdmin, update);
        Report(output, "7. Config update signed by one admin of two", admins.Evaluate(SignatureSet.Validate([taAdminSignature], registry)));
        Report(output, "8. Config update signed by both admins", admins.Evaluate(SignatureSet.Validate([taAdminSignature, Endorse("DistributorMSP", distributorAdmin, update)], registry)));

        var revoked = OrganizationRevocation.Revoke(distributor, user.CertificatePath);
        registry.Update(MspDefinition.LoadFolder(Path.Combine(distributor, "msp"), "DistributorMSP"));
        output.WriteLine($"9. Compliance revoked User1@distributor.example.com (serial {revoked.SerialNumber}); its next transaction:");
        try
        {
            CheckEnvelope(SignedEnvelope(creator, user, out _), registry);
            throw new CliException("demo: a revoked identity was accepted");
        }
        catch (CliException ex) when (ex.Message.StartsWith("rejected", StringComparison.Ordinal))
        {
            output.WriteLine($"   {ex.Message}");
        }

        output.WriteLine("demo: done");
    }

    /// <summary>An endorser-transaction envelope as a Fabric client builds it; tx id = hex(SHA-256(nonce ‖ creator)).</summary>
    private static Envelope SignedEnvelope(byte[] creator, SigningIdentityFiles signer, out string txId)
    {
        var nonce = RandomNumberGenerator.GetBytes(24);
        txId = Convert.ToHexStringLower(Sha256.Hash(nonce, creator));
        var header = new Header
        {
            ChannelHeader = new ChannelHeader
            {
                Type = (int)HeaderType.EndorserTransaction,
                ChannelId = Channel,
                TxId = txId,
                Timestamp = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow),
            }.ToByteString(),
            SignatureHeader = new SignatureHeader { Creator = ByteString.CopyFrom(creator), Nonce = ByteString.CopyFrom(nonce) }.ToByteString(),
        };
        var payload = new Payload { Header = header, Data = ByteString.CopyFromUtf8("transaction") }.ToByteArray();
        return new Envelope { Payload = ByteString.CopyFrom(payload), Signature = ByteString.CopyFrom(signer.Signer.Sign(payload)) };
    }

    /// <summary>What an orderer or peer checks first: the creator is a valid identity and signed the payload.</summary>
    private static string CheckEnvelope(Envelope envelope, MspRegistry registry)
    {
        var payload = Payload.Parser.ParseFrom(envelope.Payload);
        var signatureHeader = SignatureHeader.Parser.ParseFrom(payload.Header.SignatureHeader);
        var identity = registry.Deserialize(signatureHeader.Creator.Span);
        if (identity.Identity is null)
        {
            throw new CliException($"rejected: {identity.Error}");
        }

        var check = identity.Identity.Verify(envelope.Payload.Span, envelope.Signature.Span);
        return check.IsValid ? $"creator {identity.Identity} valid, signature verified" : throw new CliException($"rejected: {check.Reason}");
    }

    private static SignedData Endorse(string mspId, SigningIdentityFiles signer, byte[] data) =>
        new(MspRegistry.Serialize(mspId, signer.Certificate), data, signer.Signer.Sign(data));

    private static void Report(TextWriter output, string step, PolicyResult result) =>
        output.WriteLine(result.IsSatisfied ? $"{step}: policy satisfied" : $"{step}: {result.Reason}");
}
