using System.Text.Json;
using System.Text.Json.Serialization;
using FnzChain.Identity.Policies;
using FnzChain.Protos.Peer;

namespace FnzChain.Cli.Commands;

/// <summary>
/// A collections configuration file in Fabric's <c>collections_config.json</c> shape: an array of
/// <c>{ "name", "policy", "requiredPeerCount", "maxPeerCount", "blockToLive", "memberOnlyRead", "memberOnlyWrite",
/// "endorsementPolicy": { "signaturePolicy" | "channelConfigPolicy" } }</c>. Unknown fields are errors; errors name the collection and field.
/// </summary>
internal static class CollectionsConfig
{
    private static readonly JsonSerializerOptions s_json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Skip,
    };

    public static CollectionConfigPackage Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new CliException($"collections config {path} does not exist");
        }

        List<Entry> entries;
        try
        {
            entries = JsonSerializer.Deserialize<List<Entry>>(File.ReadAllText(path), s_json) ?? [];
        }
        catch (JsonException e)
        {
            throw new CliException($"collections config {path}: {e.Message}");
        }

        var package = new CollectionConfigPackage();
        foreach (var entry in entries)
        {
            var what = $"collections config {path}: collection \"{entry.Name}\"";
            if (string.IsNullOrWhiteSpace(entry.Policy))
            {
                throw new CliException($"{what}: policy (the member organisations, e.g. \"OR('Org1MSP.member','Org2MSP.member')\") is required");
            }

            var config = new StaticCollectionConfig
            {
                Name = entry.Name ?? string.Empty,
                MemberOrgsPolicy = new CollectionPolicyConfig { SignaturePolicy = Parse(entry.Policy, $"{what}: policy") },
                RequiredPeerCount = entry.RequiredPeerCount,
                MaximumPeerCount = entry.MaxPeerCount,
                BlockToLive = entry.BlockToLive,
                MemberOnlyRead = entry.MemberOnlyRead,
                MemberOnlyWrite = entry.MemberOnlyWrite,
            };
            switch (entry.EndorsementPolicy)
            {
                case { SignaturePolicy: { } signature, ChannelConfigPolicy: null }:
                    config.EndorsementPolicy = new ApplicationPolicy { SignaturePolicy = Parse(signature, $"{what}: endorsementPolicy") };
                    break;
                case { SignaturePolicy: null, ChannelConfigPolicy: { Length: > 0 } reference }:
                    config.EndorsementPolicy = new ApplicationPolicy { ChannelConfigPolicyReference = reference };
                    break;
                case null:
                    break;
                default:
                    throw new CliException($"{what}: endorsementPolicy needs exactly one of signaturePolicy and channelConfigPolicy");
            }

            package.Config.Add(new CollectionConfig { StaticCollectionConfig = config });
        }

        return package;
    }

    private static Protos.Common.SignaturePolicyEnvelope Parse(string text, string what)
    {
        try
        {
            return PolicyDsl.Parse(text);
        }
        catch (PolicyException e)
        {
            throw new CliException($"{what} \"{text}\": {e.Message}");
        }
    }

    private sealed record Entry(
        string? Name,
        string? Policy,
        int RequiredPeerCount = 0,
        int MaxPeerCount = 0,
        ulong BlockToLive = 0,
        bool MemberOnlyRead = false,
        bool MemberOnlyWrite = false,
        EndorsementPolicyEntry? EndorsementPolicy = null);

    private sealed record EndorsementPolicyEntry(string? SignaturePolicy, string? ChannelConfigPolicy);
}
