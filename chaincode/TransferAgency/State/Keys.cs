using FnzChain.Chaincode;

namespace FnzChain.TransferAgency.State;

/// <summary>Every world-state key the chaincode writes: one composite-key object type per record kind.</summary>
internal static class Keys
{
    public const string RoleConfiguration = "ta.config";
    public const string Fund = "ta.fund";
    public const string ShareClass = "ta.class";
    public const string Nav = "ta.nav";
    public const string NavCorrection = "ta.nav-correction";
    public const string Account = "ta.account";
    public const string Order = "ta.order";
    public const string OrderByClassDate = "ta.order-by-class";
    public const string OrderByAccount = "ta.order-by-account";
    public const string OrderBySettlementDate = "ta.order-by-settlement";
    public const string Holding = "ta.holding";
    public const string HoldingByAccount = "ta.holding-by-account";
    public const string Movement = "ta.movement";
    public const string Distribution = "ta.distribution";
    public const string DistributionPayment = "ta.distribution-payment";
    public const string PaymentByAccount = "ta.payment-by-account";
    public const string CorporateAction = "ta.corporate-action";
    public const string Agreement = "ta.agreement";

    public static string Of(string objectType, params IReadOnlyList<string> attributes) => CompositeKey.Create(objectType, attributes);

    public static string Date(DateOnly date) => date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
}
