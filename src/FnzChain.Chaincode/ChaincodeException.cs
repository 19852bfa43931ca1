namespace FnzChain.Chaincode;

/// <summary>
/// Thrown by a transaction to refuse it with a message the client sees (and no state change). Status is the
/// chaincode response status: 400–499 for the caller's mistakes, 500 (default) for failures.
/// </summary>
/// <example><code>throw new ChaincodeException($"fund {id} does not exist", 404);</code></example>
public sealed class ChaincodeException : Exception
{
    /// <summary>Refuses the transaction with <paramref name="message"/> and an error status (400–599).</summary>
    public ChaincodeException(string message, int status = 500)
        : base(message)
    {
        if (status is < 400 or > 599)
        {
            throw new ArgumentOutOfRangeException(nameof(status), status, "an error status is between 400 and 599");
        }

        Status = status;
    }

    /// <summary>Refuses the transaction (status 500), keeping the cause.</summary>
    public ChaincodeException(string message, Exception innerException)
        : base(message, innerException) => Status = 500;

    /// <summary>The response status the client receives.</summary>
    public int Status { get; }
}

/// <summary>The outcome of one invocation: status 200 with a payload, or an error status with a message.</summary>
public sealed record ChaincodeResponse(int Status, string Message, byte[] Payload)
{
    /// <summary>True for statuses 200–399.</summary>
    public bool IsSuccess => Status is >= 200 and < 400;

    /// <summary>A successful response carrying <paramref name="payload"/>.</summary>
    public static ChaincodeResponse Success(byte[] payload) => new(200, string.Empty, payload);

    /// <summary>An error response.</summary>
    public static ChaincodeResponse Error(int status, string message) => new(status, message, []);
}
