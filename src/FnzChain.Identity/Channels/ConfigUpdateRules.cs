using System.Security.Cryptography.X509Certificates;
using FnzChain.Identity.Policies;
using FnzChain.Protos.Common;
using Google.Protobuf;

namespace FnzChain.Identity.Channels;

/// <summary>
/// Fabric's rules for changing a channel's configuration, in two halves. <see cref="Compute"/> is what
/// configtxlator's <c>compute_update</c> does: from the configuration in force and the one wanted, a
/// <c>common.ConfigUpdate</c> whose read set pins the versions the change relies on and whose write set carries the
/// changed elements at version + 1 (a group whose members or mod_policy change is bumped and lists every member).
/// <see cref="Apply"/> is what an orderer does with a signed update: the read set must match the versions in force,
/// every modified element's own <c>mod_policy</c> must be satisfied by the signatures, and the result must be a valid
/// configuration. Every refusal is one line naming the element, the policy and the versions.
/// </summary>
public static class ConfigUpdateRules
{
    private enum Kind
    {
        Group,
        Value,
        Policy,
    }

    private sealed record Element(Kind Kind, string Path, ulong Version, string ModPolicy, IMessage Item)
    {
        public string Key => $"{Kind} {Path}";

        public string Describe => $"{Kind.ToString().ToLowerInvariant()} {Path}";

        /// <summary>The group a mod_policy is resolved in: a group's own path, a value's or policy's parent group.</summary>
        public string PolicyScope => Kind == Kind.Group ? Path : Path[..Path.LastIndexOf('/')];
    }

    /// <summary>
    /// Applies a signed update to the configuration in force and returns the resulting tree (sequence + 1), or throws
    /// <see cref="ConfigUpdateRejectedException"/>. <paramref name="now"/> is the time certificates of MSPs the update
    /// adds or changes must be valid at.
    /// </summary>
    public static Config Apply(ChannelBundle current, ConfigUpdateEnvelope envelope, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(envelope);
        var channel = current.ChannelId;
        ConfigUpdate update;
        try
        {
            update = ConfigUpdate.Parser.ParseFrom(envelope.ConfigUpdate);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new ConfigUpdateRejectedException($"config update does not parse as common.ConfigUpdate: {e.Message}");
        }

        if (update.ChannelId != channel)
        {
            throw new ConfigUpdateRejectedException($"config update is for channel \"{update.ChannelId}\", not {channel}");
        }

        if (update.WriteSet is null)
        {
            throw new ConfigUpdateRejectedException("config update has no write_set");
        }

        var root = "/" + ConfigTree.ChannelGroup;
        var inForce = Flatten(current.Config.Tree.ChannelGroup, root);
        var read = Flatten(update.ReadSet ?? new ConfigGroup(), root);
        var write = Flatten(update.WriteSet, root);
        var sequence = current.Config.Sequence;
        foreach (var element in read.Values.OrderBy(e => e.Path, StringComparer.Ordinal))
        {
            if (!inForce.TryGetValue(element.Key, out var existing))
            {
                throw new ConfigUpdateRejectedException(
                    $"config update reads {element.Describe}, which channel {channel} does not have (config sequence {sequence}); fetch the latest config and compute the update again");
            }

            if (existing.Version != element.Version)
            {
                throw new ConfigUpdateRejectedException(
                    $"config update is stale: it read {element.Describe} at version {element.Version} but channel {channel} has it at version {existing.Version} (config sequence {sequence}); fetch the latest config and compute the update again");
            }
        }

        var delta = write.Values
            .Where(w => !read.TryGetValue(w.Key, out var r) || r.Version != w.Version)
            .OrderBy(w => w.Path, StringComparer.Ordinal)
            .ThenBy(w => w.Kind)
            .ToList();
        if (delta.Count == 0)
        {
            throw new ConfigUpdateRejectedException($"config update changes nothing in channel {channel}: every element of its write set is at the version it read");
        }

        var signers = SignatureSet.Validate(Signatures(envelope), current.Msps);
        var counted = SignatureSet.Verified([.. signers.Identities]); // refusals list the ignored signatures once, not per organisation
        foreach (var element in delta)
        {
            if (string.IsNullOrEmpty(element.ModPolicy))
            {
                throw new ConfigUpdateRejectedException($"config update sets {element.Describe} without a mod_policy");
            }

            if (!inForce.TryGetValue(element.Key, out var existing))
            {
                if (element.Version != 0)
                {
                    throw new ConfigUpdateRejectedException($"config update adds {element.Describe} at version {element.Version}; an element that does not exist yet is added at version 0");
                }

                continue; // a new element is authorised by its parent group's change
            }

            if (element.Version != existing.Version + 1)
            {
                throw new ConfigUpdateRejectedException(element.Version <= existing.Version
                    ? $"config update is stale: it sets {element.Describe} to version {element.Version} but channel {channel} has it at version {existing.Version} already (config sequence {sequence}); fetch the latest config and compute the update again"
                    : $"config update sets {element.Describe} to version {element.Version} but channel {channel} has it at version {existing.Version}; the next version is {existing.Version + 1}");
            }

            if (string.IsNullOrEmpty(existing.ModPolicy))
            {
                throw new ConfigUpdateRejectedException($"config update modifies {element.Describe}, which has no mod_policy and so cannot be modified");
            }

            var policyPath = ChannelBundle.ResolvePolicyPath(existing.ModPolicy, existing.PolicyScope);
            var result = current.Evaluate(policyPath, counted);
            if (!result.IsSatisfied)
            {
                var signed = signers.Identities.Count == 0 ? "nobody" : string.Join(", ", signers.Identities);
                var ignored = signers.Ignored.Count == 0 ? string.Empty : $"; not counted: {string.Join("; ", signers.Ignored)}";
                var text = current.FindPolicy(policyPath)?.Text;
                throw new ConfigUpdateRejectedException(
                    $"config update not authorized: modifying {element.Describe} needs {policyPath}{(text is null ? string.Empty : $" ({text})")}: {Unprefixed(result.Reason, channel, policyPath, text)}; valid signatures from {signed}{ignored}",
                    isAuthorization: true);
            }
        }

        var deltaKeys = delta.Select(d => d.Key).ToHashSet(StringComparer.Ordinal);
        var merged = Merge(current.Config.Tree.ChannelGroup, update.WriteSet, root, deltaKeys);
        var next = new Config { Sequence = sequence + 1, ChannelGroup = merged.Clone() };
        CheckNewCertificates(delta, now);
        ChannelConfig config;
        try
        {
            config = ChannelBundle.Create(channel, next).Config;
        }
        catch (ChannelConfigException e)
        {
            throw new ConfigUpdateRejectedException($"config update does not lead to a valid configuration: {e.Message}");
        }

        if (config.Orderer.ConsensusType != current.Config.Orderer.ConsensusType)
        {
            throw new ConfigUpdateRejectedException(
                $"config update changes the consensus type of channel {channel} from {current.Config.Orderer.ConsensusType} to {config.Orderer.ConsensusType}, which is not supported");
        }

        return next;
    }

    /// <summary>The signed data of each signature of <paramref name="envelope"/>: signature header ‖ update bytes, as Fabric signs config updates.</summary>
    public static IEnumerable<SignedData> Signatures(ConfigUpdateEnvelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        try
        {
            return SignedData(envelope.Signatures, envelope.ConfigUpdate, "config update signature");
        }
        catch (FormatException e)
        {
            throw new ConfigUpdateRejectedException(e.Message);
        }
    }

    /// <summary>
    /// Signatures in Fabric's config-signature form as signed data: each over its signature header ‖
    /// <paramref name="content"/>. A header that does not parse is a <see cref="FormatException"/> naming
    /// <paramref name="what"/> and its index.
    /// </summary>
    public static List<SignedData> SignedData(IEnumerable<ConfigSignature> signatures, ByteString content, string what)
    {
        ArgumentNullException.ThrowIfNull(signatures);
        ArgumentNullException.ThrowIfNull(content);
        var result = new List<SignedData>();
        foreach (var signature in signatures)
        {
            SignatureHeader header;
            try
            {
                header = SignatureHeader.Parser.ParseFrom(signature.SignatureHeader);
            }
            catch (InvalidProtocolBufferException e)
            {
                throw new FormatException($"{what} {result.Count}: its signature_header does not parse: {e.Message}", e);
            }

            result.Add(new SignedData(header.Creator.Memory, (byte[])[.. signature.SignatureHeader.Span, .. content.Span], signature.Signature.Memory));
        }

        return result;
    }

    /// <summary>
    /// The update that turns <paramref name="current"/> into <paramref name="next"/> with configtxlator's
    /// compute_update semantics; a <see cref="ConfigUpdateRejectedException"/> when they do not differ.
    /// </summary>
    public static ConfigUpdate Compute(string channelId, Config current, Config next)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(next);
        var (read, write, changed) = ComputeGroup(current.ChannelGroup ?? new ConfigGroup(), next.ChannelGroup ?? new ConfigGroup());
        if (!changed)
        {
            throw new ConfigUpdateRejectedException($"the new configuration of channel {channelId} does not differ from the current one");
        }

        return new ConfigUpdate { ChannelId = channelId, ReadSet = read, WriteSet = write };
    }

    /// <summary>Every element of the tree under <paramref name="group"/>, keyed by kind and path.</summary>
    private static Dictionary<string, Element> Flatten(ConfigGroup group, string path)
    {
        var elements = new Dictionary<string, Element>(StringComparer.Ordinal);
        Add(group, path);
        return elements;

        void Add(ConfigGroup g, string p)
        {
            var element = new Element(Kind.Group, p, g.Version, g.ModPolicy, g);
            elements[element.Key] = element;
            foreach (var (key, value) in g.Values)
            {
                var v = new Element(Kind.Value, $"{p}/{key}", value.Version, value.ModPolicy, value);
                elements[v.Key] = v;
            }

            foreach (var (key, policy) in g.Policies)
            {
                var e = new Element(Kind.Policy, $"{p}/{key}", policy.Version, policy.ModPolicy, policy);
                elements[e.Key] = e;
            }

            foreach (var (key, child) in g.Groups)
            {
                if (key.Contains('/', StringComparison.Ordinal) || key.Length == 0)
                {
                    throw new ConfigUpdateRejectedException($"config group key \"{key}\" under {p} is empty or contains '/'");
                }

                Add(child, $"{p}/{key}");
            }
        }
    }

    /// <summary>
    /// The group at <paramref name="path"/> after the update: a modified (version-bumped) group has exactly the members
    /// its write-set entry lists, taking unmodified ones from the configuration in force; an unmodified group keeps
    /// its members and only the ones the write set lists are replaced.
    /// </summary>
    private static ConfigGroup Merge(ConfigGroup? inForce, ConfigGroup written, string path, HashSet<string> delta)
    {
        var modified = delta.Contains($"{Kind.Group} {path}");
        if (!modified && inForce is null)
        {
            throw new ConfigUpdateRejectedException($"config update lists group {path}, which does not exist, at version {written.Version}");
        }

        var result = modified
            ? new ConfigGroup { Version = written.Version, ModPolicy = written.ModPolicy }
            : new ConfigGroup { Version = inForce!.Version, ModPolicy = inForce.ModPolicy };
        if (!modified)
        {
            result.Values.Add(inForce!.Values);
            result.Policies.Add(inForce.Policies);
            foreach (var (key, child) in inForce.Groups)
            {
                result.Groups[key] = child;
            }
        }

        foreach (var (key, value) in written.Values)
        {
            result.Values[key] = Member(delta.Contains($"{Kind.Value} {path}/{key}"), value, inForce?.Values.GetValueOrDefault(key), modified, $"value {path}/{key}", path);
        }

        foreach (var (key, policy) in written.Policies)
        {
            result.Policies[key] = Member(delta.Contains($"{Kind.Policy} {path}/{key}"), policy, inForce?.Policies.GetValueOrDefault(key), modified, $"policy {path}/{key}", path);
        }

        foreach (var (key, child) in written.Groups)
        {
            var existing = inForce?.Groups.GetValueOrDefault(key);
            if (!modified && existing is null)
            {
                throw new ConfigUpdateRejectedException($"config update adds group {path}/{key} but does not modify {path} (its members change, so it needs version {inForce!.Version + 1})");
            }

            result.Groups[key] = Merge(existing, child, $"{path}/{key}", delta);
        }

        return result;
    }

    private static T Member<T>(bool isModified, T written, T? inForce, bool parentModified, string what, string parent)
        where T : class
    {
        if (isModified)
        {
            if (inForce is null && !parentModified)
            {
                throw new ConfigUpdateRejectedException($"config update adds {what} but does not modify group {parent} (its members change, so its version must increase)");
            }

            return written;
        }

        return inForce ?? throw new ConfigUpdateRejectedException($"config update lists {what}, which does not exist, at the version it read");
    }

    private static (ConfigGroup Read, ConfigGroup Write, bool Changed) ComputeGroup(ConfigGroup current, ConfigGroup next)
    {
        var read = new ConfigGroup { Version = current.Version };
        var write = new ConfigGroup { Version = current.Version };
        var membersChanged = current.ModPolicy != next.ModPolicy
            || !current.Values.Keys.ToHashSet().SetEquals(next.Values.Keys)
            || !current.Policies.Keys.ToHashSet().SetEquals(next.Policies.Keys)
            || !current.Groups.Keys.ToHashSet().SetEquals(next.Groups.Keys);
        var changed = membersChanged;

        foreach (var (key, value) in next.Values)
        {
            if (current.Values.TryGetValue(key, out var before))
            {
                if (before.Value.Equals(value.Value) && before.ModPolicy == value.ModPolicy)
                {
                    if (membersChanged)
                    {
                        read.Values[key] = new ConfigValue { Version = before.Version };
                        write.Values[key] = new ConfigValue { Version = before.Version };
                    }

                    continue;
                }

                write.Values[key] = new ConfigValue { Version = before.Version + 1, Value = value.Value, ModPolicy = value.ModPolicy };
            }
            else
            {
                write.Values[key] = new ConfigValue { Version = 0, Value = value.Value, ModPolicy = value.ModPolicy };
            }

            changed = true;
        }

        foreach (var (key, policy) in next.Policies)
        {
            if (current.Policies.TryGetValue(key, out var before))
            {
                if (Equals(before.Policy, policy.Policy) && before.ModPolicy == policy.ModPolicy)
                {
                    if (membersChanged)
                    {
                        read.Policies[key] = new ConfigPolicy { Version = before.Version };
                        write.Policies[key] = new ConfigPolicy { Version = before.Version };
                    }

                    continue;
                }

                write.Policies[key] = new ConfigPolicy { Version = before.Version + 1, Policy = policy.Policy, ModPolicy = policy.ModPolicy };
            }
            else
            {
                write.Policies[key] = new ConfigPolicy { Version = 0, Policy = policy.Policy, ModPolicy = policy.ModPolicy };
            }

            changed = true;
        }

        foreach (var (key, group) in next.Groups)
        {
            if (current.Groups.TryGetValue(key, out var before))
            {
                var (childRead, childWrite, childChanged) = ComputeGroup(before, group);
                if (childChanged)
                {
                    read.Groups[key] = childRead;
                    write.Groups[key] = childWrite;
                    changed = true;
                }
                else if (membersChanged)
                {
                    read.Groups[key] = new ConfigGroup { Version = before.Version };
                    write.Groups[key] = new ConfigGroup { Version = before.Version };
                }
            }
            else
            {
                write.Groups[key] = AsNew(group);
                changed = true;
            }
        }

        if (membersChanged)
        {
            write.Version = current.Version + 1;
            write.ModPolicy = next.ModPolicy;
        }

        return (read, write, changed);
    }

    /// <summary>A copy of a group being added, every element at version 0 as an update must add it.</summary>
    private static ConfigGroup AsNew(ConfigGroup group)
    {
        var copy = new ConfigGroup { ModPolicy = group.ModPolicy };
        foreach (var (key, value) in group.Values)
        {
            copy.Values[key] = new ConfigValue { Value = value.Value, ModPolicy = value.ModPolicy };
        }

        foreach (var (key, policy) in group.Policies)
        {
            copy.Policies[key] = new ConfigPolicy { Policy = policy.Policy, ModPolicy = policy.ModPolicy };
        }

        foreach (var (key, child) in group.Groups)
        {
            copy.Groups[key] = AsNew(child);
        }

        return copy;
    }

    /// <summary>CA certificates of MSPs an update adds or changes must be CA certificates valid now.</summary>
    private static void CheckNewCertificates(IEnumerable<Element> delta, DateTimeOffset now)
    {
        foreach (var element in delta.Where(e => e.Kind == Kind.Value && e.Path.EndsWith("/" + ConfigTree.MspKey, StringComparison.Ordinal)))
        {
            var org = element.Path.Split('/')[^2];
            Msp.MspDefinition definition;
            try
            {
                definition = MspConfig.ToDefinition(MspConfig.FromValue(((ConfigValue)element.Item).Value, org), org);
            }
            catch (ChannelConfigException e)
            {
                throw new ConfigUpdateRejectedException($"config update sets {element.Describe} to an MSP that does not read: {e.Message}");
            }

            foreach (var (certificates, field) in new[] { (definition.RootCertificates, "root_certs"), (definition.IntermediateCertificates, "intermediate_certs") })
            {
                for (var i = 0; i < certificates.Count; i++)
                {
                    var certificate = certificates[i];
                    var problem = certificate.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault()?.CertificateAuthority != true ? "is not a CA certificate (no basic constraints CA:TRUE)"
                        : now < certificate.NotBefore.ToUniversalTime() ? $"is not valid before {certificate.NotBefore.ToUniversalTime():yyyy-MM-ddTHH:mm:ssZ}"
                        : now > certificate.NotAfter.ToUniversalTime() ? $"expired at {certificate.NotAfter.ToUniversalTime():yyyy-MM-ddTHH:mm:ssZ}"
                        : null;
                    if (problem is not null)
                    {
                        throw new ConfigUpdateRejectedException($"config update sets {element.Describe}: {field}[{i}] '{certificate.Subject}' {problem}");
                    }
                }
            }
        }
    }

    /// <summary>The reason without what the message already said: the channel and policy path, and "policy X not satisfied: ".</summary>
    private static string Unprefixed(string reason, string channel, string path, string? text)
    {
        foreach (var prefix in new[] { $"channel {channel} policy {path}: ", $"policy {text} not satisfied: " })
        {
            if (reason.StartsWith(prefix, StringComparison.Ordinal))
            {
                reason = reason[prefix.Length..];
            }
        }

        return reason;
    }
}

/// <summary>A config update that cannot be applied; the message names the element, policy or versions at fault.</summary>
public sealed class ConfigUpdateRejectedException(string message, bool isAuthorization = false) : Exception(message)
{
    /// <summary>True when the update is well formed but not signed by enough admins.</summary>
    public bool IsAuthorization { get; } = isAuthorization;
}
