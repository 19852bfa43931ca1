using System.Globalization;
using System.Text;
using FnzChain.Protos.Common;
using Google.Protobuf;

namespace FnzChain.Identity.Policies;

/// <summary>
/// Fabric's signature-policy language: <c>AND('Org1MSP.peer','Org2MSP.peer')</c>, <c>OR(...)</c>,
/// <c>OutOf(2, ...)</c>, principals <c>'&lt;MSP id&gt;.&lt;role&gt;'</c> with roles member, admin, client, peer,
/// orderer. Operator names are case-insensitive; principals take single or double quotes. Compiles to
/// <c>common.SignaturePolicyEnvelope</c>, the form that travels in configuration and chaincode definitions.
/// </summary>
public static class PolicyDsl
{
    /// <summary>Longest policy text accepted.</summary>
    public const int MaxLength = 16 * 1024;

    private const int MaxDepth = 32;

    /// <summary>Parses <paramref name="text"/>; throws <see cref="PolicyException"/> naming the position and what was expected.</summary>
    public static SignaturePolicyEnvelope Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > MaxLength)
        {
            throw new PolicyException($"policy: text is {text.Length} characters; at most {MaxLength} are accepted");
        }

        var parser = new Parser(text);
        var principals = new List<MSPPrincipal>();
        var rule = parser.ParseExpression(principals, depth: 0);
        parser.ExpectEnd();
        var envelope = new SignaturePolicyEnvelope { Version = 0, Rule = rule };
        envelope.Identities.AddRange(principals);
        return envelope;
    }

    /// <summary>Renders an envelope as DSL text (for messages and display).</summary>
    public static string Render(SignaturePolicyEnvelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        var builder = new StringBuilder();
        Render(envelope.Rule, envelope, builder);
        return builder.ToString();
    }

    /// <summary>Renders one principal as <c>'Org1MSP.peer'</c> (or a description for non-role principals).</summary>
    public static string RenderPrincipal(MSPPrincipal principal)
    {
        ArgumentNullException.ThrowIfNull(principal);
        return principal.PrincipalClassification switch
        {
            MSPPrincipal.Types.Classification.Role => RenderRole(MSPRole.Parser.ParseFrom(principal.Principal)),
            MSPPrincipal.Types.Classification.OrganizationUnit => RenderOu(OrganizationUnit.Parser.ParseFrom(principal.Principal)),
            _ => $"{principal.PrincipalClassification} principal",
        };
    }

    private static string RenderRole(MSPRole role) => $"{role.MspIdentifier}.{RoleName(role.Role)}";

    private static string RenderOu(OrganizationUnit ou) => $"{ou.MspIdentifier} OU={ou.OrganizationalUnitIdentifier}";

    internal static string RoleName(MSPRole.Types.MSPRoleType role) => role switch
    {
        MSPRole.Types.MSPRoleType.Member => "member",
        MSPRole.Types.MSPRoleType.Admin => "admin",
        MSPRole.Types.MSPRoleType.Client => "client",
        MSPRole.Types.MSPRoleType.Peer => "peer",
        MSPRole.Types.MSPRoleType.Orderer => "orderer",
        _ => role.ToString(),
    };

    private static void Render(SignaturePolicy? rule, SignaturePolicyEnvelope envelope, StringBuilder builder)
    {
        switch (rule?.TypeCase)
        {
            case SignaturePolicy.TypeOneofCase.SignedBy:
                var index = rule.SignedBy;
                builder.Append('\'').Append(index >= 0 && index < envelope.Identities.Count
                    ? RenderPrincipal(envelope.Identities[index])
                    : $"#{index}").Append('\'');
                break;
            case SignaturePolicy.TypeOneofCase.NOutOf:
                var rules = rule.NOutOf.Rules;
                var n = rule.NOutOf.N;
                if (n == rules.Count && n > 1)
                {
                    builder.Append("AND(");
                }
                else if (n == 1 && rules.Count >= 1)
                {
                    builder.Append("OR(");
                }
                else
                {
                    builder.Append("OutOf(").Append(n.ToString(CultureInfo.InvariantCulture)).Append(rules.Count > 0 ? ", " : string.Empty);
                }

                for (var i = 0; i < rules.Count; i++)
                {
                    if (i > 0)
                    {
                        builder.Append(", ");
                    }

                    Render(rules[i], envelope, builder);
                }

                builder.Append(')');
                break;
            default:
                builder.Append("<empty rule>");
                break;
        }
    }

    private sealed class Parser(string text)
    {
        private int _position;

        public SignaturePolicy ParseExpression(List<MSPPrincipal> principals, int depth)
        {
            if (depth > MaxDepth)
            {
                throw Error($"nesting deeper than {MaxDepth}");
            }

            SkipSpace();
            if (_position < text.Length && text[_position] is '\'' or '"')
            {
                return SignedBy(ParsePrincipal(), principals);
            }

            var nameStart = _position;
            while (_position < text.Length && char.IsAsciiLetter(text[_position]))
            {
                _position++;
            }

            var name = text[nameStart.._position];
            if (name.Length == 0)
            {
                throw Error("expected AND(, OR(, OutOf( or a quoted principal such as 'Org1MSP.peer'");
            }

            var op = name.ToUpperInvariant() switch
            {
                "AND" => "AND",
                "OR" => "OR",
                "OUTOF" => "OutOf",
                _ => throw new PolicyException($"policy: unknown operator '{name}' at position {nameStart} in \"{text}\"; expected AND, OR or OutOf"),
            };
            Expect('(');
            var n = -1;
            if (op == "OutOf")
            {
                n = ParseInteger();
                Expect(',');
            }

            var rules = new List<SignaturePolicy> { ParseExpression(principals, depth + 1) };
            while (TryConsume(','))
            {
                rules.Add(ParseExpression(principals, depth + 1));
            }

            Expect(')');
            n = op switch
            {
                "AND" => rules.Count,
                "OR" => 1,
                _ => n,
            };
            if (n < 1 || n > rules.Count)
            {
                throw new PolicyException($"policy: OutOf({n}, ...) at position {nameStart} in \"{text}\" needs n between 1 and its {rules.Count} rules");
            }

            var nOutOf = new SignaturePolicy.Types.NOutOf { N = n };
            nOutOf.Rules.AddRange(rules);
            return new SignaturePolicy { NOutOf = nOutOf };
        }

        public void ExpectEnd()
        {
            SkipSpace();
            if (_position != text.Length)
            {
                throw Error("expected the end of the policy");
            }
        }

        private MSPRole ParsePrincipal()
        {
            var quote = text[_position];
            var start = _position;
            var close = text.IndexOf(quote, _position + 1);
            if (close < 0)
            {
                throw Error($"unterminated principal (missing closing {quote})");
            }

            var principal = text[(_position + 1)..close];
            _position = close + 1;
            var dot = principal.LastIndexOf('.');
            if (dot <= 0 || dot == principal.Length - 1)
            {
                throw new PolicyException($"policy: principal '{principal}' at position {start} is not of the form '<MSP id>.<role>'");
            }

            var mspId = principal[..dot];
            if (!mspId.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_'))
            {
                throw new PolicyException($"policy: MSP id '{mspId}' in '{principal}' may hold only letters, digits, '.', '-' and '_'");
            }

            var roleName = principal[(dot + 1)..];
            var role = roleName switch
            {
                "member" => MSPRole.Types.MSPRoleType.Member,
                "admin" => MSPRole.Types.MSPRoleType.Admin,
                "client" => MSPRole.Types.MSPRoleType.Client,
                "peer" => MSPRole.Types.MSPRoleType.Peer,
                "orderer" => MSPRole.Types.MSPRoleType.Orderer,
                _ => throw new PolicyException($"policy: unknown role '{roleName}' in '{principal}'; expected member, admin, client, peer or orderer"),
            };
            return new MSPRole { MspIdentifier = mspId, Role = role };
        }

        private static SignaturePolicy SignedBy(MSPRole role, List<MSPPrincipal> principals)
        {
            var bytes = role.ToByteString();
            var index = principals.FindIndex(p => p.PrincipalClassification == MSPPrincipal.Types.Classification.Role && p.Principal.Equals(bytes));
            if (index < 0)
            {
                principals.Add(new MSPPrincipal { PrincipalClassification = MSPPrincipal.Types.Classification.Role, Principal = bytes });
                index = principals.Count - 1;
            }

            return new SignaturePolicy { SignedBy = index };
        }

        private int ParseInteger()
        {
            SkipSpace();
            var start = _position;
            while (_position < text.Length && char.IsAsciiDigit(text[_position]))
            {
                _position++;
            }

            if (start == _position || !int.TryParse(text.AsSpan(start, _position - start), NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                throw Error("expected a whole number");
            }

            return value;
        }

        private void Expect(char expected)
        {
            if (!TryConsume(expected))
            {
                throw Error($"expected '{expected}'");
            }
        }

        private bool TryConsume(char expected)
        {
            SkipSpace();
            if (_position < text.Length && text[_position] == expected)
            {
                _position++;
                return true;
            }

            return false;
        }

        private void SkipSpace()
        {
            while (_position < text.Length && char.IsWhiteSpace(text[_position]))
            {
                _position++;
            }
        }

        private PolicyException Error(string expected)
        {
            var found = _position < text.Length ? $"'{text[_position]}'" : "the end";
            return new PolicyException($"policy: {expected} at position {_position} (found {found}) in \"{text}\"");
        }
    }
}
